// 数据报表: the hourly and daily charts (ECharts) from the page's JSON data block.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("charts-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var hours = Array.from({ length: 24 }, function (_, h) { return h + "时"; });
    var series = function (d) {
      return [
        { name: "扫码次数", type: "bar", data: d.scans },
        { name: "橙码次数", type: "line", data: d.orange, itemStyle: { color: "#e67e22" } },
        { name: "体温异常", type: "line", data: d.abnormal, itemStyle: { color: "#c0392b" } }
      ];
    };
    var base = function (x, d) {
      return { tooltip: { trigger: "axis" }, legend: {}, grid: { left: 50, right: 20, bottom: 30 },
        xAxis: { type: "category", data: x }, yAxis: { type: "value", minInterval: 1 }, series: series(d) };
    };
    window.echarts.init(document.getElementById("chart-hours")).setOption(base(hours, data.hours));
    window.echarts.init(document.getElementById("chart-trend")).setOption(base(data.trend.days, data.trend));
  });
})();
