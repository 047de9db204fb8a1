/* 月报列表 批量审核 (templates/progress/report_list.html): 全选 ticks the selectable rows of this page; the button
   shows how many are chosen (re-bound after htmx swaps). */
(function () {
  "use strict";
  function sync() {
    var picks = document.querySelectorAll("#tj-bulk-form .tj-bulk-pick");
    var chosen = document.querySelectorAll("#tj-bulk-form .tj-bulk-pick:checked").length;
    var button = document.getElementById("tj-bulk-approve");
    if (button) {
      button.disabled = chosen === 0;
      button.querySelector(".tj-bulk-count").textContent = chosen ? "（" + chosen + "）" : "";
    }
    document.querySelectorAll("#tj-bulk-form .tj-bulk-all").forEach(function (all) {
      all.checked = picks.length > 0 && chosen === picks.length;
      all.indeterminate = chosen > 0 && chosen < picks.length;
      all.disabled = picks.length === 0;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("tj-bulk-all")) {
      document.querySelectorAll("#tj-bulk-form .tj-bulk-pick").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.closest && event.target.closest("#tj-bulk-form")) { sync(); }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", sync); } else { sync(); }
  document.addEventListener("htmx:afterSettle", sync);
})();
