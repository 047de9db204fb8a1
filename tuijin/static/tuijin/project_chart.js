/* 项目详情 monthly investment chart (templates/projects/project.html); data from the json_script
   "tj-project-chart-data". No inline script (CSP). */
(function () {
  var el = document.getElementById("tj-project-chart");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(document.getElementById("tj-project-chart-data").textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {data: d.labels, top: 0, itemWidth: 16, itemGap: 8},
    grid: {left: 4, right: 12, top: 32, bottom: 4, containLabel: true},
    xAxis: {type: "category", data: d.months},
    yAxis: {type: "value"},
    series: [
      {name: d.labels[0], type: "bar", data: d.amount, itemStyle: {color: "#96b9e6"}},
      {name: d.labels[1], type: "line", data: d.ytd, itemStyle: {color: "#2f6bc2"}},
      {name: d.labels[2], type: "line", data: d.plan, lineStyle: {type: "dashed"}, itemStyle: {color: "#888"}, symbol: "none"}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
