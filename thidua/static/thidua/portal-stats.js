// Portal statistics charts (ECharts). The same figures are in the tables on the page.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("stats-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  // Numbers as the page's language writes them: 1.000 on the Vietnamese page, 1,000 in English.
  var number = new Intl.NumberFormat(document.documentElement.lang || "vi");
  var encode = window.echarts.format.encodeHTML;
  function tooltip(params) {
    var lines = params.map(function (p) {
      return encode(p.seriesName) + ": <b>" + encode(number.format(p.value)) + "</b>";
    });
    return '<div class="coverage-tip"><b>' + encode(params[0].axisValueLabel) + "</b><br>" + lines.join("<br>") + "</div>";
  }
  function draw(id, labels, series) {
    var holder = document.getElementById(id);
    if (!holder) { return; }
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      // The page's own description, not ECharts' generated English one.
      aria: { enabled: true, label: { description: holder.getAttribute("aria-label") || "" } },
      tooltip: { trigger: "axis", confine: true, formatter: tooltip },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { top: 40, left: 8, right: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return number.format(v); } } },
      series: series
    });
    charts.push(chart);
  }
  draw("stats-days", data.days, [
    { name: data.labels.views, type: "bar", data: data.views, itemStyle: { color: "#9b1c1c" } },
    { name: data.labels.visitors, type: "line", data: data.visitors, itemStyle: { color: "#0b4f9c" } }
  ]);
  draw("stats-months", data.months, [
    { name: data.labels.views, type: "bar", data: data.month_views, itemStyle: { color: "#9b1c1c" } }
  ]);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
