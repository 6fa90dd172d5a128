// Draws the playbook chart from the JSON the page embeds (no inline script: CSP).
(function () {
  "use strict";
  var el = document.getElementById("playbook-chart");
  var data = document.getElementById("playbook-chart-data");
  if (!el || !data || !window.echarts) { return; }
  var chart = JSON.parse(data.textContent);
  // Stage names wrap within their slot rather than being hidden when they collide (phones).
  function labelWidth() {
    return Math.max(36, Math.floor((el.clientWidth - 120) / Math.max(1, chart.stages.length)) - 4);
  }
  var instance = window.echarts.init(el, null, { renderer: "canvas" });
  instance.setOption({
    // Drawn on the canvas ("richText"), not as HTML: an HTML tooltip carries inline style
    // attributes, which the Content Security Policy refuses.
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { bottom: 0 },
    grid: { left: 40, right: 40, top: 40, bottom: 30, containLabel: true },
    xAxis: {
      type: "category", data: chart.stages,
      axisLabel: { interval: 0, width: labelWidth(), overflow: "break" }
    },
    yAxis: [
      { type: "value", name: "%", min: 0, max: 100 },
      // Right-aligned so a long axis name ends at the axis instead of past the chart's edge.
      { type: "value", name: el.dataset.labelDays, min: 0, nameTextStyle: { align: "right" } }
    ],
    series: [
      { name: el.dataset.labelProbability, type: "line", data: chart.probability, smooth: true },
      { name: el.dataset.labelDays, type: "bar", yAxisIndex: 1, data: chart.norm_days, barMaxWidth: 36 }
    ]
  });
  window.addEventListener("resize", function () {
    instance.setOption({ xAxis: { axisLabel: { width: labelWidth() } } });
    instance.resize();
  });
})();
