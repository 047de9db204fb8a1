/* 调度驾驶舱 charts (templates/progress/dashboard.html); data from the json_script "tj-dashboard-charts", each
   point carrying the URL of the list behind it. No inline script (CSP). */
(function () {
  var data = JSON.parse(document.getElementById("tj-dashboard-charts").textContent);
  var charts = [];
  function make(id, option, urls) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    if (urls) { chart.on("click", function (p) { var u = urls(p); if (u) { window.location.href = u; } }); }
    charts.push(chart);
  }
  var narrow = window.matchMedia("(max-width: 576px)").matches;  // phone: smaller pie, shorter axis labels
  var t = data.trend;
  make("tj-chart-trend", {
    tooltip: {trigger: "axis"}, legend: {data: t.labels}, grid: {left: 50, right: 20, top: 40, bottom: 30},
    xAxis: {type: "category", data: t.months}, yAxis: {type: "value", name: data.unit_yi},
    series: [
      {name: t.labels[0], type: "bar", data: t.amount, itemStyle: {color: "#96b9e6"}},
      {name: t.labels[1], type: "line", data: t.cumulative, itemStyle: {color: "#2f6bc2"}},
      {name: t.labels[2], type: "line", data: t.plan, lineStyle: {type: "dashed"}, itemStyle: {color: "#888"}, symbol: "none"}
    ]
  });
  make("tj-chart-category", {
    tooltip: {trigger: "item", formatter: function (p) { return p.name + "：" + p.value + data.unit_yi + "（" + (p.data.rate === null ? "—" : p.data.rate + "%") + "）"; }},
    series: [{type: "pie", radius: narrow ? ["26%", "48%"] : ["30%", "58%"], avoidLabelOverlap: true, data: data.category, label: {formatter: "{b}\n{d}%", width: narrow ? 64 : 90, overflow: "break"}}]
  }, function (p) { return p.data && p.data.url; });
  make("tj-chart-domain", {
    tooltip: {trigger: "axis"}, grid: {left: 8, right: 48, top: 10, bottom: 30, containLabel: true},
    xAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
    yAxis: {type: "category", data: data.domain.map(function (d) { return d.name; }), axisLabel: {width: narrow ? 80 : 120, overflow: "truncate"}},
    series: [{type: "bar", data: data.domain.map(function (d) { return {value: d.rate, url: d.url}; }), label: {show: true, position: "right", formatter: "{c}%"}}]
  }, function (p) { return p.data && p.data.url; });
  var u = data.units;
  make("tj-chart-units", {
    tooltip: {trigger: "axis"}, grid: {left: 8, right: 56, top: 24, bottom: 30, containLabel: true},
    xAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
    yAxis: {type: "category", inverse: true, data: u.names, axisLabel: {width: narrow ? 96 : 160, overflow: "truncate"}},
    series: [{type: "bar", data: u.rates.map(function (r, i) { return {value: r, url: u.urls[i], itemStyle: {color: r === null ? "#ccc" : (r >= u.schedule ? "#289650" : (r >= u.schedule - 10 ? "#e6781e" : "#c83232"))}}; }),
      label: {show: true, position: "right", formatter: "{c}%"},
      markLine: {symbol: "none", lineStyle: {type: "dashed", color: "#2f6bc2"}, label: {position: "start", formatter: u.schedule_label + " {c}%"}, data: [{xAxis: u.schedule}]}}]
  }, function (p) { return p.data && p.data.url; });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.querySelectorAll('button[data-bs-toggle="tab"]').forEach(function (b) { b.addEventListener("shown.bs.tab", function () { charts.forEach(function (c) { c.resize(); }); }); });
})();
