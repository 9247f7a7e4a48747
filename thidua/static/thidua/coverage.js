// Coverage bar chart (ECharts). The same figures are in the table below the chart.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    aria: { enabled: true },
    tooltip: { trigger: "axis" },
    legend: { data: data.series },
    grid: { left: 8, right: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", data: data.labels, inverse: true },
    series: [
      { name: data.series[0], type: "bar", data: data.members, itemStyle: { color: "#9b1c1c" } },
      { name: data.series[1], type: "bar", data: data.units, itemStyle: { color: "#0b4f9c" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
