// The dashboard's charts (templates/home/index.html), drawn by Apache ECharts
// (the npm package in node_modules/, served by the app itself at /static/vendor/echarts.min.js). The data comes from the page's
// <script type="application/json" id="chart-data">; each chart's table beside it holds the same
// figures for keyboard and screen-reader users and without script. No inline script, no
// style attributes: the tooltip is drawn on the canvas (richText), so the CSP stays 'self'.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var charts;
  try { charts = JSON.parse(source.textContent); } catch (e) { return; }
  var palette = ["#0b5cad", "#1f7a3a", "#8a4e00", "#b3261e", "#5b3f9e", "#00707a", "#5b6876"];
  var drawn = [];
  charts.forEach(function (chart) {
    var node = document.querySelector('[data-chart="' + chart.key + '"]');
    if (!node) return;
    var empty = !chart.categories.length || chart.series.every(function (s) {
      return s.data.every(function (v) { return !v; });
    });
    if (empty) {
      node.textContent = node.getAttribute("data-empty");
      node.classList.add("muted");
      node.removeAttribute("role");
      return;
    }
    var percent = chart.kind === "percent";
    var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
    var instance = window.echarts.init(node, null, { renderer: "canvas", locale: locale });
    instance.setOption({
      color: palette,
      // The container names the chart (role="img", aria-label) and the table beside it holds
      // the figures, so ECharts' own generated description is not added.
      aria: { enabled: false },
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 6 ? 30 : 0 } },
      yAxis: percent ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
                     : { type: "value", minInterval: 1 },
      series: chart.series.map(function (s) {
        return { name: s.name, type: "bar", stack: chart.kind === "stacked" ? "total" : undefined, data: s.data };
      })
    });
    drawn.push(instance);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
