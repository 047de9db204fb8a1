/* 招商项目 阶段推进 (templates/investment/lead.html): show only the fields up to the chosen stage, so nobody thinks
   达产时间 is needed to submit 签约. */
(function () {
  "use strict";
  var order = ["signed", "registered", "started", "producing", "reached"];
  var select = document.getElementById("tj-to-stage");
  if (!select) { return; }
  function sync() {
    var upto = order.indexOf(select.value);
    document.querySelectorAll("#tj-submit-form [data-stage-fields]").forEach(function (el) {
      el.hidden = upto >= 0 && order.indexOf(el.dataset.stageFields) > upto;
    });
  }
  select.addEventListener("change", sync);
  sync();
})();
