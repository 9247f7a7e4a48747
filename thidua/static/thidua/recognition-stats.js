// Recognition statistics charts (ECharts): proposed vs decided, by award kind (horizontal bars, the
// names are long) and by year. The tables under each chart hold the same figures and are the page's
// data without JavaScript.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("recognition-stats-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var echarts = window.echarts;
    var number = new Intl.NumberFormat(document.documentElement.lang || "vi");
    var encode = echarts.format.encodeHTML;
    var colours = ["#9b1c1c", "#0b4f9c"]; // as .coverage-tip-mark-0 and -1 in app.css
    var charts = [];

    // Built from classes, not style attributes: the Content-Security-Policy forbids inline styles.
    function tooltip(params) {
      var lines = params.map(function (p) {
        return '<span class="coverage-tip-mark coverage-tip-mark-' + p.seriesIndex + '"></span>' +
          encode(p.seriesName) + ": <b>" + encode(number.format(p.value)) + "</b>";
      });
      return '<div class="coverage-tip"><b>' + encode(params[0].axisValueLabel) + "</b><br>" + lines.join("<br>") + "</div>";
    }

    function draw(holder) {
      var slug = holder.getAttribute("data-chart");
      var figures = data[slug];
      if (!figures || !figures.labels.length) { return; }
      var horizontal = slug === "kind";
      var narrow = holder.clientWidth < 520;
      if (horizontal) {
        holder.style.height = (60 + figures.labels.length * (narrow ? 48 : 36)) + "px";
      }
      var categories = {
        type: "category",
        data: figures.labels,
        inverse: horizontal,
        axisLabel: horizontal
          ? { interval: 0, width: narrow ? Math.round(holder.clientWidth * 0.4) : 260, overflow: "break", lineHeight: 14 }
          : { interval: 0 }
      };
      var values = { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return number.format(v); } } };
      var chart = echarts.init(holder, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        // The page's own Vietnamese description, not ECharts' generated English one.
        aria: { enabled: true, label: { description: holder.getAttribute("aria-label") || "" } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, formatter: tooltip },
        legend: { top: 0, left: 0, data: data.series },
        grid: { top: 36, left: 8, right: 24, bottom: 8, containLabel: true },
        xAxis: horizontal ? values : categories,
        yAxis: horizontal ? categories : values,
        series: [figures.proposed, figures.decided].map(function (values, i) {
          return {
            name: data.series[i],
            type: "bar",
            data: values,
            itemStyle: { color: colours[i] },
            label: { show: true, position: horizontal ? "right" : "top", fontSize: 11, color: "#1b1f24" }
          };
        })
      });
      charts.push(chart);
    }

    Array.prototype.forEach.call(document.querySelectorAll(".recognition-chart"), draw);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
