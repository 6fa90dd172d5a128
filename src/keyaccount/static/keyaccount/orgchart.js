// Draws a customer's org chart (contacts and who reports to whom) with ECharts' tree series.
// Data comes from the page's json_script block; no inline script (CSP).
(function () {
  "use strict";
  var el = document.getElementById("ka-orgchart");
  var data = document.getElementById("ka-orgchart-data");
  if (!el || !data || !window.echarts) { return; }
  var tree = JSON.parse(data.textContent);
  var leftLabel = el.dataset.leftLabel || "";
  var UNIT = 112;          // px between two sibling boxes: a Chinese name and a short title
  var LEVEL_HEIGHT = 100;  // px per level of the hierarchy

  // How many layout units wide the tree is. ECharts' tree layout puts siblings one unit
  // apart and cousins two, plus one unit of margin each side; counting leaves that way is
  // an upper bound, so boxes never overlap (a wide tree scrolls sideways on a phone).
  function measure(root) {
    var units = 2, depth = 1, previousParent = null, first = true;
    (function walk(node, parent, level) {
      depth = Math.max(depth, level);
      var kids = node.children || [];
      if (!kids.length) {
        if (!first) { units += parent === previousParent ? 1 : 2; }
        first = false;
        previousParent = parent;
        return;
      }
      kids.forEach(function (k) { walk(k, node, level + 1); });
    })(root, null, 1);
    return { width: units * UNIT, depth: depth };
  }

  // Braces and bars are rich-text markup in ECharts labels: keep them out of people's names.
  function plain(text) { return String(text || "").replace(/[{}|]/g, " "); }

  function decorate(node) {
    var inactive = node.active === false;
    var name = plain(node.name), title = plain(node.title);
    node.label = {
      formatter: node.root ? "{root|" + name + "}" :
        "{name|" + name + "}" + (title ? "\n{title|" + title + "}" : "") +
        (inactive ? "\n{left|" + plain(leftLabel) + "}" : "")
    };
    node.itemStyle = inactive ? { color: "#adb5bd", borderColor: "#adb5bd" } : {};
    (node.children || []).forEach(decorate);
    return node;
  }

  var size = measure(tree);
  function fit() {
    el.style.width = Math.max(el.parentElement.clientWidth, size.width) + "px";
  }
  fit();
  // Start with the top of the hierarchy in view.
  el.parentElement.scrollLeft = Math.max(0, (el.scrollWidth - el.parentElement.clientWidth) / 2);
  el.style.height = Math.max(220, size.depth * LEVEL_HEIGHT + 40) + "px";

  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    // Drawn on the canvas ("richText"), not as HTML: an HTML tooltip carries inline style
    // attributes, which the Content Security Policy refuses.
    tooltip: {
      trigger: "item",
      renderMode: "richText",
      formatter: function (p) {
        var d = p.data || {};
        return [d.name, d.title, d.department].filter(Boolean).map(plain).join("\n");
      }
    },
    series: [{
      type: "tree",
      data: [decorate(tree)],
      orient: "TB",
      layout: "orthogonal",
      top: 24, bottom: 64, left: UNIT / 2, right: UNIT / 2,
      symbol: "roundRect",
      symbolSize: [10, 10],
      initialTreeDepth: -1,
      expandAndCollapse: true,
      roam: false,
      edgeShape: "polyline",
      lineStyle: { color: "#c8d3e1", width: 1.5 },
      itemStyle: { color: "#206bc4", borderColor: "#206bc4" },
      label: {
        position: "bottom",
        distance: 6,
        align: "center",
        verticalAlign: "top",
        backgroundColor: "#fff",
        borderColor: "#dce1e7",
        borderWidth: 1,
        borderRadius: 4,
        padding: [4, 6],
        rich: {
          name: { fontSize: 13, fontWeight: "bold", color: "#1d273b", lineHeight: 18 },
          title: { fontSize: 11, color: "#667382", lineHeight: 15, width: UNIT - 20, overflow: "truncate" },
          left: { fontSize: 10, color: "#adb5bd", lineHeight: 14 },
          root: { fontSize: 13, fontWeight: "bold", color: "#206bc4" }
        }
      },
      leaves: { label: { position: "bottom", verticalAlign: "top", align: "center" } },
      animationDuration: 300
    }]
  });
  window.addEventListener("resize", function () { fit(); chart.resize(); });
})();
