// 每日健康上报数据变化趋势: ECharts line of reporters per day; hovering a day shows reporters and their share of
// the enterprise's employees.
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("trend");
    if (!el || !window.echarts) return;
    var data = JSON.parse(el.dataset.chart);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      legend: { data: ["上报人数", "占企业人数比例"] },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          return data.days[i] + "<br>健康上报人数：" + data.reporters[i] + " 人<br>占企业人数比例：" +
            data.shares[i] + "%（企业人数 " + data.employees + "）";
        }
      },
      xAxis: { type: "category", data: data.days },
      yAxis: [{ type: "value", name: "人数", minInterval: 1 }, { type: "value", name: "%", max: 100 }],
      series: [
        { name: "上报人数", type: "line", data: data.reporters, areaStyle: { opacity: 0.15 } },
        { name: "占企业人数比例", type: "line", yAxisIndex: 1, data: data.shares, lineStyle: { type: "dashed" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.entTrendChart = chart;
  });
})();
