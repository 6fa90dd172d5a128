// Draws the playbook chart from the JSON the page embeds (no inline script: CSP).
(function () {
  "use strict";
  var el = document.getElementById("playbook-chart");
  var data = document.getElementById("playbook-chart-data");
  if (!el || !data || !window.echarts) { return; }
  var chart = JSON.parse(data.textContent);
  var instance = window.echarts.init(el, null, { renderer: "canvas" });
  instance.setOption({
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 30, bottom: 36, containLabel: true },
    xAxis: { type: "category", data: chart.stages, axisLabel: { interval: 0, hideOverlap: true } },
    yAxis: [
      { type: "value", name: "%", min: 0, max: 100 },
      { type: "value", name: el.dataset.labelDays, min: 0 }
    ],
    series: [
      { name: el.dataset.labelProbability, type: "line", data: chart.probability, smooth: true },
      { name: el.dataset.labelDays, type: "bar", yAxisIndex: 1, data: chart.norm_days, barMaxWidth: 36 }
    ]
  });
  window.addEventListener("resize", function () { instance.resize(); });
})();
