// Survey charts (ECharts): satisfaction by line against the previous campaign and the target, and by building.
(function () {
  var el = document.getElementById("survey-chart");
  var data = document.getElementById("survey-chart-data");
  if (!el || !data || !window.echarts) { return; }
  var d = JSON.parse(data.textContent);
  var chart = window.echarts.init(el);
  var series = [{ name: "本次", type: "bar", data: d.current, label: { show: true, formatter: "{c}%" } }];
  if (d.previous && d.previous.length) { series.push({ name: "上次", type: "bar", data: d.previous }); }
  series[0].markLine = { symbol: "none", data: [{ yAxis: d.target, name: "目标" }], label: { formatter: "目标 {c}%" } };
  chart.setOption({
    tooltip: { trigger: "axis" }, legend: {}, grid: { left: 40, right: 10, bottom: 60 },
    xAxis: { type: "category", data: d.lines, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }, series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
