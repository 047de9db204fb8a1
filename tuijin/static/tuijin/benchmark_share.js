/* 对标 share-of-region chart (templates/benchmarks/share.html); data from the json_script
   "tj-share-chart-data". No inline script (CSP). */
(function () {
  var el = document.getElementById("tj-share-chart");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(document.getElementById("tj-share-chart-data").textContent);
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  var series = d.series.map(function (s) {
    return {name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: s.self ? 7 : 5,
            lineStyle: {width: s.self ? 3 : 1.5}, z: s.self ? 3 : 2};
  });
  series.push({name: d.target.name, type: "line", step: "middle", data: d.target.data, symbol: "none",
               lineStyle: {type: "dashed", color: "#d9534f"}, itemStyle: {color: "#d9534f"}});
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + d.unit; }},
    legend: {top: 0, type: "scroll"},
    grid: {left: 4, right: 12, top: narrow ? 56 : 36, bottom: 4, containLabel: true},
    xAxis: {type: "category", data: d.labels, axisLabel: {rotate: narrow ? 45 : 30, fontSize: narrow ? 9 : 11}},
    yAxis: {type: "value", scale: true, axisLabel: {formatter: "{value}" + d.unit}},
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
