/* 对标 indicator chart (templates/benchmarks/indicator.html); data from the json_script "tj-bench-chart-data".
   No inline script (CSP). */
(function () {
  var el = document.getElementById("tj-bench-chart");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(document.getElementById("tj-bench-chart-data").textContent);
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  var series = d.series.map(function (s) {
    return {name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: s.self ? 7 : 5,
            lineStyle: {width: s.self ? 3 : 1.5}, z: s.self ? 3 : 2};
  });
  if (d.target.value !== null) {
    series.push({name: d.target.name, type: "line", data: d.labels.map(function () { return d.target.value; }),
                 symbol: "none", lineStyle: {type: "dashed", color: "#d9534f"}, itemStyle: {color: "#d9534f"}});
  }
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + d.unit; }},
    legend: {top: 0, type: "scroll"},
    grid: {left: 4, right: 12, top: narrow ? 56 : 36, bottom: 4, containLabel: true},
    xAxis: {type: "category", data: d.labels, axisLabel: {interval: narrow ? 1 : 0, fontSize: narrow ? 10 : 12}},
    yAxis: {type: "value", scale: true, axisLabel: {formatter: "{value}" + d.unit}},
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
