/* 月报填报 (templates/progress/report_form.html): add and remove 存在问题 rows of the formset. Loaded after
   form_fields.js; the "too many problems" message comes from data-max-message on this file's <script> tag. */
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("tj-report-form");
  if (!form) { return; }
  var style = function (root) { window.tuijinFields.style(root, true); };
  function renumber() {
    var shown = 0;
    form.querySelectorAll("#tj-problems .tj-problem").forEach(function (row) {
      if (!row.hidden) { shown += 1; var n = row.querySelector(".tj-problem-num"); if (n) { n.textContent = shown; } }
    });
  }
  var total = form.querySelector("#id_problems-TOTAL_FORMS");
  var max = parseInt(form.querySelector("#id_problems-MAX_NUM_FORMS").value, 10);
  document.getElementById("tj-add-problem").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (index >= max) { window.alert(script ? script.getAttribute("data-max-message") : ""); return; }
    var html = document.getElementById("tj-problem-template").innerHTML.replace(/__prefix__/g, index);
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    style(row);
    document.getElementById("tj-problems").appendChild(row);
    total.value = index + 1;
    renumber();
    var first = row.querySelector("select");
    if (first) { first.focus(); }
  });
  document.getElementById("tj-problems").addEventListener("click", function (event) {
    var button = event.target.closest(".tj-problem-remove");
    if (!button) { return; }
    var row = button.closest(".tj-problem");
    var box = row.querySelector('input[name$="-DELETE"]');
    if (box) { box.checked = true; }
    row.hidden = true;
    renumber();
  });
  renumber();
})();
