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

  // Declarative behaviours instead of inline event handlers (the Content-Security-Policy forbids those; see
  // docs/development.md). Delegated from the document, so they also work in content swapped in by htmx.
  //   data-tj-confirm="…"      on a form: ask before it is submitted; on a button: ask when it is clicked.
  //   data-tj-confirm-input="#id" (with data-tj-input-required="…"): the confirmation needs that input filled in;
  //                              its value is appended to the question.
  //   data-tj-autosubmit       on a select/input: submit its form when the value changes.
  //   data-tj-print            on a button: print the page.
  //   data-tj-check-all="sel"  on a checkbox: tick or untick every checkbox matching sel with it.
  //   data-tj-collect="sel" data-tj-collect-into="#id"  on a button: before it acts, write the values of the
  //                              elements matching sel, comma-separated, into the input #id.
  function cancel(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
  function confirmed(el) {
    var question = el.getAttribute("data-tj-confirm");
    var inputSelector = el.getAttribute("data-tj-confirm-input");
    if (inputSelector) {
      var input = document.querySelector(inputSelector);
      var value = input ? input.value.trim() : "";
      if (!value) {
        window.alert(el.getAttribute("data-tj-input-required") || "");
        if (input) { input.focus(); }
        return false;
      }
      question += value;
    }
    return window.confirm(question);
  }
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var collect = target.closest("[data-tj-collect]");
    if (collect) {
      var into = document.querySelector(collect.getAttribute("data-tj-collect-into"));
      if (into) {
        into.value = Array.prototype.map.call(document.querySelectorAll(collect.getAttribute("data-tj-collect")), function (e) {
          return e.value;
        }).join(",");
      }
    }
    var asking = target.closest("[data-tj-confirm]");
    if (asking && asking.tagName !== "FORM" && !confirmed(asking)) { cancel(event); return; }
    if (target.closest("[data-tj-print]")) { window.print(); }
    var all = target.closest("[data-tj-check-all]");
    if (all) {
      document.querySelectorAll(all.getAttribute("data-tj-check-all")).forEach(function (box) { box.checked = all.checked; });
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-tj-confirm") && !confirmed(form)) { cancel(event); }
  }, true);
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-tj-autosubmit") && field.form) { field.form.submit(); }
  });

  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target.parentNode || document); });
})();
