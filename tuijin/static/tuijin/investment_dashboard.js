/* 招商驾驶舱 charts (templates/investment/dashboard.html): the data comes from the json_script "tj-kpi-charts";
   each point carries the URL of the lead list behind it. No inline script (CSP). */
(function () {
  "use strict";
  var source = document.getElementById("tj-kpi-charts");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    charts.push(chart);
  }
  var l = data.labels;
  make("tj-chart-months", {
    tooltip: {trigger: "axis"}, legend: {data: [l.count, l.amount]}, grid: {left: 40, right: 50, top: 40, bottom: 30},
    xAxis: {type: "category", data: data.months.map(function (m) { return m.name; })},
    yAxis: [{type: "value", name: l.unit_n, minInterval: 1}, {type: "value", name: l.unit_yi}],
    series: [
      {name: l.count, type: "bar", data: data.months.map(function (m) { return {value: m.value, url: m.url}; }), itemStyle: {color: "#96b9e6"}},
      {name: l.amount, type: "line", yAxisIndex: 1, data: data.months.map(function (m) { return {value: m.amount, url: m.url}; }), itemStyle: {color: "#2f6bc2"}}
    ]
  });
  make("tj-chart-bands", {
    tooltip: {trigger: "item", formatter: function (p) { return p.name + "：" + p.value + l.unit_n + "（" + p.data.amount + l.unit_yi + "）"; }},
    series: [{type: "pie", radius: narrow ? ["26%", "48%"] : ["30%", "58%"], data: data.bands, label: {formatter: "{b}\n{c}", width: narrow ? 64 : 90, overflow: "break"}}]
  });
  make("tj-chart-chains", {
    tooltip: {trigger: "axis"}, grid: {left: 8, right: 40, top: 10, bottom: 20, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", inverse: true, data: data.chains.map(function (c) { return c.name; }), axisLabel: {width: narrow ? 80 : 120, overflow: "truncate"}},
    series: [{type: "bar", data: data.chains.map(function (c) { return {value: c.value, url: c.url}; }), label: {show: true, position: "right"}}]
  });
  make("tj-chart-funnel", {
    tooltip: {trigger: "axis"}, grid: {left: 8, right: 20, top: 10, bottom: 20, containLabel: true},
    xAxis: {type: "category", data: data.funnel.map(function (f) { return f.name; })},
    yAxis: {type: "value", minInterval: 1},
    series: [{type: "bar", data: data.funnel.map(function (f) { return {value: f.value, url: f.url}; }), label: {show: true, position: "top"}, itemStyle: {color: "#2f6bc2"}}]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.querySelectorAll('button[data-bs-toggle="tab"]').forEach(function (b) {
    b.addEventListener("shown.bs.tab", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
