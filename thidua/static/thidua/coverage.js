// Coverage bar chart (ECharts): one pair of horizontal bars per child unit, top to bottom in
// the table's order. The table holds the same figures and is the page's data without JavaScript.
(function () {
  "use strict";

  var NARROW = 520;        // chart width (px) below which the layout is a phone's
  var LEGEND_LINE = 22;    // one legend row: 14 px symbol, 12 px text, 8 px gap

  // The chart grows with the number of units instead of skipping names: every bar keeps its own
  // label and the page scrolls (a dataZoom window would hide rows and detach bars from the table).
  function layout(width, count) {
    var narrow = width < NARROW;
    var legendRows = narrow ? 2 : 1; // stacked on a phone so it never wraps unexpectedly
    var legendHeight = legendRows * LEGEND_LINE + 8;
    var labelWidth = narrow ? Math.round(width * 0.36) : 240;
    // Right of the grid: each bar's own label ("100 %", "33,3 %") must not be cut.
    var barLabelRoom = narrow ? 44 : 56;
    var perUnit = narrow ? 40 : 30; // a phone's labels may wrap onto two lines
    var plotWidth = width - labelWidth - barLabelRoom - 16;
    // As many ticks as stay ~60 px apart (a phone gets 0 %, 50 %, 100 %), so they never run together.
    var interval = [10, 20, 25, 50, 100].filter(function (step) {
      return (100 / step) * 60 <= plotWidth;
    })[0] || 100;
    var gridTop = legendHeight + 8;
    return {
      narrow: narrow,
      labelWidth: labelWidth,
      barLabelRoom: barLabelRoom,
      interval: interval,
      gridTop: gridTop,
      // legend + value-axis labels (drawn on top, inside the grid's bounds) + the units + margin
      height: gridTop + 28 + count * perUnit + 12
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("coverage-chart");
    var source = document.getElementById("coverage-data");
    if (!holder || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) { return; }
    var echarts = window.echarts;
    var lang = document.documentElement.lang || undefined;
    var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
    var number = new Intl.NumberFormat(lang);
    var encode = echarts.format.encodeHTML;
    // Two series of percentages with the counts behind them (coverage, reporting compliance…).
    var values = data.values || [data.members, data.units];
    var counts = data.counts || [data.member_counts, data.unit_counts];
    var colours = ["#9b1c1c", "#0b4f9c"];
    var description = holder.getAttribute("aria-label");

    function pct(value) { return percent.format(value / 100); }

    // Built from classes, not style attributes: the Content-Security-Policy forbids inline styles.
    function tooltip(params) {
      var index = params[0].dataIndex;
      var lines = params.map(function (p) {
        var pair = counts[p.seriesIndex][index];
        return '<span class="coverage-tip-mark coverage-tip-mark-' + p.seriesIndex + '"></span>' +
          encode(p.seriesName) + ": <b>" + encode(pct(p.value)) + "</b> (" +
          encode(number.format(pair[0])) + " / " + encode(number.format(pair[1])) + ")";
      });
      return '<div class="coverage-tip"><b>' + encode(data.names[index]) + "</b><br>" + lines.join("<br>") + "</div>";
    }

    function options(box, selected) {
      return {
        animation: false,
        // Our own Vietnamese description, not ECharts' generated English one.
        aria: { enabled: true, label: { description: description } },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          confine: true,
          formatter: tooltip
        },
        legend: {
          data: data.series,
          top: 0,
          left: 0,
          orient: box.narrow ? "vertical" : "horizontal",
          itemGap: 8,
          selected: selected,
          textStyle: { fontSize: 12 }
        },
        // outerBoundsMode "same": the axis labels stay inside these margins instead of being cut.
        grid: { left: 4, right: box.barLabelRoom, top: box.gridTop, bottom: 12, outerBoundsMode: "same" },
        xAxis: {
          type: "value",
          position: "top",
          min: 0,
          max: 100,
          interval: box.interval,
          axisLabel: { formatter: pct, hideOverlap: true }
        },
        yAxis: {
          type: "category",
          data: data.labels,
          inverse: true,
          axisTick: { alignWithLabel: true },
          axisLabel: box.narrow
            ? { interval: 0, width: box.labelWidth, overflow: "break", lineHeight: 14, height: 30, lineOverflow: "truncate" }
            : { interval: 0, width: box.labelWidth, overflow: "break", lineHeight: 14 }
        },
        series: values.map(function (values, i) {
          return {
            name: data.series[i],
            type: "bar",
            data: values,
            barGap: "15%",
            barCategoryGap: "30%",
            itemStyle: { color: colours[i] },
            label: {
              show: true,
              position: "right",
              fontSize: 11,
              color: "#1b1f24",
              formatter: function (p) { return pct(p.value); }
            }
          };
        })
      };
    }

    var box = layout(holder.clientWidth, data.labels.length);
    holder.style.height = box.height + "px";
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(options(box));

    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        var next = layout(holder.clientWidth, data.labels.length);
        if (JSON.stringify(next) !== JSON.stringify(box)) {
          box = next;
          holder.style.height = box.height + "px";
          // Replace (not merge) so a phone's label options do not linger on a wide screen;
          // keep which series the reader switched off in the legend.
          chart.setOption(options(box, chart.getOption().legend[0].selected), true);
        }
        chart.resize();
      });
    });
  });
})();
