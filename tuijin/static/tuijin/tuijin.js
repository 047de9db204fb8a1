/* Tuijin shell behaviour shared by every page (loaded deferred from base.html). */
(function () {
  "use strict";

  // Phone cards (.tj-cards-sm, see tuijin.css): label each cell with its column header unless the template did.
  function labelCells(root) {
    (root || document).querySelectorAll(".tj-cards-sm table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead tr:last-child th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (!td.hasAttribute("data-label") && !td.hasAttribute("colspan") && heads[i] !== undefined) {
            td.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }

  // Printing: redraw every ECharts chart at the printed width (and back at the screen width afterwards).
  function resizeCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[_echarts_instance_]").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  }
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) { print.addEventListener("change", resizeCharts); }
  }
  window.addEventListener("beforeprint", resizeCharts);
  window.addEventListener("afterprint", resizeCharts);

  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target.parentNode || document); });
})();
