/* Bootstrap classes for the fields Django renders bare, on the form pages that load this file (project, plan,
   approval, report correction, report form). Options on the <script> tag itself (no inline script: CSP):
     data-form="selector"   the form(s) whose fields to style (default: every form of the page's main area)
     data-size="sm"         small controls
     data-mark-invalid      also mark a field red when its .invalid-feedback message is shown
   window.tuijinFields.style(root, small) styles rows added later (templates/progress/report_form.html). */
(function () {
  "use strict";
  function style(root, small) {
    root.querySelectorAll("input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea").forEach(function (e) {
      e.classList.add("form-control");
      if (small) { e.classList.add("form-control-sm"); }
    });
    root.querySelectorAll("select").forEach(function (e) {
      e.classList.add("form-select");
      if (small) { e.classList.add("form-select-sm"); }
    });
  }
  window.tuijinFields = {style: style};
  var script = document.currentScript;
  if (!script) { return; }
  var small = script.getAttribute("data-size") === "sm";
  document.querySelectorAll(script.getAttribute("data-form") || "main form").forEach(function (form) {
    style(form, small);
    if (script.hasAttribute("data-mark-invalid")) {
      form.querySelectorAll(".invalid-feedback").forEach(function (e) {
        var field = e.parentElement.querySelector("input,select,textarea");
        if (field) { field.classList.add("is-invalid"); }
      });
    }
  });
})();
