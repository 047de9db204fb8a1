/* 产业链图谱 tree (templates/chains/map.html); data from the json_script "tj-chain-data". No inline script (CSP). */
(function () {
  var el = document.getElementById("tj-chain-chart");
  var source = document.getElementById("tj-chain-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = null;
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
  function option(compact) {
    // on paper (compact) every label is one short line, so the whole tree fits one landscape page
    return {
      animation: false,
      tooltip: {trigger: "item", confine: true, formatter: function (p) {
        var d = p.data || {};
        if (!d.status) { return esc(d.name); }
        return "<b>" + esc(d.name) + "</b> · " + esc(d.status) + "<br>" + esc(d.counts) + "<br><span style='white-space:normal'>" + esc(d.reason) + "</span>";
      }},
      series: [{
        type: "tree", data: [data], orient: "LR", top: compact ? 6 : 16, bottom: compact ? 6 : 16, left: 70, right: compact ? 190 : 230,
        initialTreeDepth: -1, expandAndCollapse: false, roam: false, symbol: "circle", symbolSize: compact ? 8 : 12,
        lineStyle: {color: "#c5ccd6", width: 1.2, curveness: 0.5},
        label: {position: "left", align: "right", verticalAlign: "middle", distance: 6, fontSize: 12,
          formatter: function (p) {
            var d = p.data;
            if (!d.counts) { return "{h|" + d.name + "}"; }
            return compact ? "{n|" + d.name + "} {c|" + d.counts + "}" : "{n|" + d.name + "}\n{c|" + d.counts + "}";
          },
          rich: {n: {fontSize: compact ? 9 : 12, fontWeight: "bold", color: "#223", lineHeight: compact ? 11 : 16},
            c: {fontSize: compact ? 7 : 10, color: "#667", lineHeight: compact ? 11 : 14},
            h: {fontSize: compact ? 10 : 13, fontWeight: "bold", color: "#1f4e8c"}},
          backgroundColor: "rgba(255,255,255,0.85)", padding: [1, 3]},
        leaves: {label: {position: "right", align: "left"}},
        emphasis: {focus: "ancestor"}
      }]
    };
  }
  function printing(on) {
    if (!chart) { return; }
    chart.setOption(option(on));
    chart.resize();
  }
  function draw() {
    if (chart || el.offsetWidth === 0) { return; }
    chart = window.echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(option(false));
    chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    document.body.classList.add("tj-chart-ready");
    var png = document.getElementById("tj-map-png");
    if (png) {
      png.disabled = false;
      png.addEventListener("click", function () {
        var a = document.createElement("a");
        a.href = chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"});
        a.download = data.name + "-产业链图谱.png";
        document.body.appendChild(a); a.click(); a.remove();
      });
    }
  }
  draw();
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } else { draw(); } });
  window.addEventListener("beforeprint", function () { printing(true); });
  window.addEventListener("afterprint", function () { printing(false); });
  if (window.matchMedia) {
    var media = window.matchMedia("print");
    if (media.addEventListener) { media.addEventListener("change", function (e) { printing(e.matches); }); }
  }
})();
