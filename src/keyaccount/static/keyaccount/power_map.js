// The power map of an opportunity: the customer's org chart (who reports to whom) drawn with
// ECharts' tree series. Nodes are coloured by attitude to us and sized by influence; contacts
// not involved in the deal are faded; labels read "name · title" and the buying role.
// Top-down on a wide screen, left to right on a phone; pan and zoom (roam) everywhere.
//
// Data comes from the page's json_script block (no inline script: CSP). The file is loaded by
// the power map page and by the opportunity page's tab, an htmx fragment that runs it again on
// every load: ECharts itself is loaded once, on demand, and every chart is drawn once.
(function () {
  "use strict";
  if (window.kaPowerMap) { window.kaPowerMap.drawAll(); return; }

  var NARROW = 576;   // px: below this width the tree grows left to right
  var UNIT = 128;     // px between two sibling boxes, top-down
  var LEVEL = 112;    // px per level of the hierarchy, top-down
  var ROW = 64;       // px between two sibling boxes, left to right
  var COLUMN = 170;   // px per level, left to right
  var charts = [];

  // Braces and bars are rich-text markup in ECharts labels: keep them out of people's names.
  function plain(text) { return String(text || "").replace(/[{}|]/g, " "); }

  function decorate(node) {
    var involved = !!node.involved;
    var head = plain(node.name) + (node.title ? " · " + plain(node.title) : "");
    var lines = [node.root ? "{root|" + plain(node.name) + "}" : (involved ? "{name|" : "{faded|") + head + "}"];
    if (involved && node.role_label) { lines.push("{role|" + plain(node.role_label) + "}"); }
    node.label = { formatter: lines.join("\n") };
    if (node.root) {
      node.symbolSize = 12;
      node.itemStyle = { color: "#206bc4", borderColor: "#206bc4" };
    } else {
      node.symbolSize = node.size || 10;
      node.itemStyle = {
        color: node.color,
        borderColor: involved ? "#ffffff" : "#c5ccd6",
        borderWidth: involved ? 2 : 1,
        opacity: involved ? 1 : 0.75
      };
    }
    (node.children || []).forEach(decorate);
    return node;
  }

  // Layout units across the tree: ECharts puts siblings one unit apart and cousins two, plus a
  // unit of margin each side; counting leaves that way is an upper bound, so boxes never overlap
  // (a wide tree scrolls inside its box instead).
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
    return { units: units, depth: depth };
  }

  function tooltip(p) {
    var d = p.data || {};
    var parts = [d.name, d.title, d.department];
    if (d.involved) { parts.push(d.role_label, d.influence_label, d.attitude_label); }
    return parts.filter(Boolean).map(plain).join("\n");
  }

  function option(tree, narrow) {
    var label = narrow
      ? { position: "right", align: "left", verticalAlign: "middle", distance: 8 }
      : { position: "bottom", align: "center", verticalAlign: "top", distance: 6 };
    return {
      // Drawn on the canvas ("richText"), not as HTML: an HTML tooltip carries inline style
      // attributes, which the Content Security Policy refuses.
      tooltip: { trigger: "item", renderMode: "richText", formatter: tooltip },
      series: [{
        type: "tree",
        data: [tree],
        orient: narrow ? "LR" : "TB",
        layout: "orthogonal",
        top: narrow ? ROW / 2 : 28,
        bottom: narrow ? ROW / 2 : 72,
        left: narrow ? 24 : UNIT / 2,
        right: narrow ? COLUMN - 24 : UNIT / 2,
        symbol: "circle",
        initialTreeDepth: -1,
        expandAndCollapse: false,
        roam: true,
        scaleLimit: { min: 0.4, max: 3 },
        edgeShape: "polyline",
        lineStyle: { color: "#c8d3e1", width: 1.5 },
        label: Object.assign({
          backgroundColor: "#fff",
          borderColor: "#dce1e7",
          borderWidth: 1,
          borderRadius: 4,
          padding: [4, 6],
          rich: {
            name: { fontSize: 12, fontWeight: "bold", color: "#1d273b", lineHeight: 17, width: (narrow ? COLUMN - 40 : UNIT - 28), overflow: "truncate" },
            faded: { fontSize: 11, color: "#8a9099", lineHeight: 16, width: (narrow ? COLUMN - 40 : UNIT - 28), overflow: "truncate" },
            role: { fontSize: 11, color: "#206bc4", lineHeight: 15 },
            root: { fontSize: 13, fontWeight: "bold", color: "#206bc4" }
          }
        }, label),
        leaves: { label: label },
        emphasis: { focus: "ancestor" },
        animationDuration: 300
      }]
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.source || "");
    if (!source || el.dataset.drawn) { return; }
    var box = el.parentElement;
    if (!box.clientWidth) { return; }  // in a hidden tab: drawn when it shows (resize observer)
    el.dataset.drawn = "1";
    var data = JSON.parse(source.textContent);
    var tree = decorate(data.tree);
    var size = measure(tree);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var narrow = null;
    function layout() {
      var isNarrow = box.clientWidth < NARROW;
      if (isNarrow) {
        el.style.width = Math.max(box.clientWidth, size.depth * COLUMN + 40) + "px";
        el.style.height = Math.max(260, size.units * ROW) + "px";
      } else {
        el.style.width = Math.max(box.clientWidth, size.units * UNIT) + "px";
        el.style.height = Math.max(260, size.depth * LEVEL + 60) + "px";
      }
      if (isNarrow !== narrow) {
        narrow = isNarrow;
        chart.setOption(option(tree, narrow), true);
        // Start with the top of the hierarchy in view.
        box.scrollLeft = narrow ? 0 : Math.max(0, (el.scrollWidth - box.clientWidth) / 2);
      }
      chart.resize();
    }
    layout();
    charts.push({ el: el, chart: chart, layout: layout });
  }

  function withEcharts(src, done) {
    if (window.echarts) { done(); return; }
    var script = document.querySelector("script[data-ka-echarts]");
    if (!script) {
      script = document.createElement("script");
      script.src = src;
      script.dataset.kaEcharts = "1";
      document.head.appendChild(script);
    }
    script.addEventListener("load", done);
  }

  function drawAll() {
    // Charts whose fragment was swapped out are let go.
    charts = charts.filter(function (c) {
      if (document.contains(c.el)) { return true; }
      c.chart.dispose();
      return false;
    });
    var pending = document.querySelectorAll("[data-ka-power-map]:not([data-drawn])");
    if (!pending.length) { return; }
    withEcharts(pending[0].dataset.echarts, function () {
      Array.prototype.forEach.call(pending, function (el) {
        draw(el);
        if (window.ResizeObserver && !el.dataset.observed) {
          el.dataset.observed = "1";
          new ResizeObserver(function () {
            var known = charts.filter(function (c) { return c.el === el; })[0];
            if (known) { known.layout(); } else { draw(el); }
          }).observe(el.parentElement);
        }
      });
    });
  }

  window.kaPowerMap = { drawAll: drawAll };
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.layout(); }); });
  document.addEventListener("htmx:afterSettle", drawAll);
  drawAll();
})();
