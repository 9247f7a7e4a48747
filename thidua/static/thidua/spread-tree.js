// Where an effective model spread (ECharts "tree"): from the level that approved it down to the
// adopting units, grouped under their parents. The nested list and the table under it hold the
// same facts and are the page's content without JavaScript.
(function () {
  "use strict";

  var ROW = 30; // px per leaf: the chart grows with the tree instead of squeezing names

  function leaves(node) {
    if (!node.children || !node.children.length) { return 1; }
    return node.children.reduce(function (sum, child) { return sum + leaves(child); }, 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("spread-chart");
    var source = document.getElementById("spread-data");
    var words = document.getElementById("spread-labels");
    if (!holder || !source || !words || !window.echarts) { return; }
    var root = JSON.parse(source.textContent);
    var label = JSON.parse(words.textContent);
    var echarts = window.echarts;
    var encode = echarts.format.encodeHTML;
    var colours = { origin: "#9b1c1c", approver: "#146c2e", adopter: "#0b4f9c" };

    function decorate(node) {
      node.itemStyle = { color: colours[node.role] || "#4d5560" };
      node.symbolSize = node.role ? 12 : 8;
      (node.children || []).forEach(decorate);
      return node;
    }

    function tooltip(params) {
      var d = params.data;
      var lines = ["<b>" + encode(d.name) + "</b>"];
      if (d.role === "origin") { lines.push(encode(label.origin)); }
      if (d.role === "approver") { lines.push(encode(label.approver)); }
      if (d.since) { lines.push(encode(label.since) + " " + encode(d.since)); }
      if (d.value) { lines.push(encode(String(d.value)) + " " + encode(label.count)); }
      return '<div class="coverage-tip">' + lines.join("<br>") + "</div>";
    }

    var narrow = holder.clientWidth < 520;
    holder.style.height = Math.max(160, leaves(root) * ROW + 40) + "px";
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description: holder.getAttribute("aria-label") || "" } },
      tooltip: { trigger: "item", confine: true, formatter: tooltip },
      series: [{
        type: "tree",
        data: [decorate(root)],
        orient: "LR",
        initialTreeDepth: -1,
        expandAndCollapse: false,
        roam: false,
        top: 16,
        bottom: 16,
        left: narrow ? 8 : 24,
        right: narrow ? "45%" : "35%",
        label: { position: "top", verticalAlign: "bottom", align: "left", fontSize: 12, color: "#1b1f24",
          width: narrow ? 140 : 220, overflow: "truncate" },
        leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } },
        lineStyle: { color: "#9aa3ad", width: 1.5 }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
