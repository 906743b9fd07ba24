/* Statistics dashboard: fetches the JSON endpoint and draws ECharts; every mark links to its
   drill-down list (the tickets behind the number). No external resources. */
(function () {
  "use strict";
  var script = document.getElementById("dashboard-script");
  var url = script && script.getAttribute("data-url");
  if (!url || !window.echarts) { return; }
  var charts = [];
  // the page's words in the page's language (the template translates them)
  var words = { cases: "件", households: "户", target: "目标", definition: "定义", hours: "小时", calendar: "工作日历",
                failed: "数据加载失败，请刷新重试。" };
  try { words = Object.assign(words, JSON.parse(script.getAttribute("data-words") || "{}")); } catch (e) { /* keep */ }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function go(params) {
    var d = params && params.data;
    if (d && d.drill) { window.location.href = d.drill; }
  }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    c.on("click", go);
    charts.push(c);
  }

  function bars(id, rows, opts) {
    opts = opts || {};
    chart(id, {
      grid: { left: 8, right: 16, top: 10, bottom: 8, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }),
               axisLabel: { width: 90, overflow: "truncate" } },
      series: [{ type: "bar", data: rows.map(function (r) {
        return { value: opts.value ? opts.value(r) : r.count, drill: r.drill, name: r.label };
      }), itemStyle: { color: opts.color || "#1971c2" }, label: { show: true, position: "right" } }]
    });
  }

  function cards(kpis) {
    var html = kpis.map(function (k) {
      var v = k.value == null ? "—" : k.value + (k.unit === "%" ? "%" : "");
      var main = k.drill.numerator || k.drill.all || k.drill.denominator;
      var cls = k.met_target === true ? "hit" : (k.met_target === false ? "miss" : "");
      var extra = "";
      if (k.code === "handling_hours" && k.extra) {
        extra = "<div class='target'>P90 " + esc(k.extra.p90_hours == null ? "—" : k.extra.p90_hours) +
          " " + esc(words.hours) + " · " + esc(words.calendar) + "</div>";
      }
      if (k.code === "valid_complaints_per_household" && k.extra) {
        extra += "<div class='target'><a href='" + esc(k.drill.numerator) + "'>" + esc(k.counts.numerator) +
          "</a> " + esc(words.cases) + " / " + esc(k.extra.households) + " " +
          esc(words.households) + "</div>";
      }
      if (k.counts && k.counts.denominator != null && k.unit === "%") {
        extra += "<div class='target'><a href='" + esc(k.drill.numerator) + "'>" + esc(k.counts.numerator) +
          "</a> / <a href='" + esc(k.drill.denominator) + "'>" + esc(k.counts.denominator) + "</a></div>";
      }
      var target = k.target ? "<div class='target'>" + esc(words.target) + " " + esc(k.target.op) + " " + esc(k.target.value) +
        (k.unit === "%" ? "%" : "") + "</div>" : "";
      return "<div class='kpi-card " + cls + "' data-kpi='" + esc(k.code) + "'>" +
        "<span class='label'>" + esc(k.label) + "</span>" +
        "<a class='value' href='" + esc(main) + "'>" + esc(v) + "</a>" + target + extra +
        "<details><summary>" + esc(words.definition) + "</summary>" + esc(k.definition) + "</details></div>";
    }).join("");
    document.getElementById("kpi-cards").innerHTML = html;
  }

  fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
    .then(function (res) {
      if (!res.ok) {
        document.getElementById("kpi-cards").innerHTML = "<p class='flash flash-error'>" + esc(res.body.detail) + "</p>";
        return;
      }
      var d = res.body;
      cards(d.kpis);
      chart("chart-trend", {
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.trend.rows.map(function (r) { return r.label; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "line", smooth: true, areaStyle: {}, symbolSize: 8,
                   data: d.trend.rows.map(function (r) { return { value: r.count, drill: r.drill }; }) }]
      });
      bars("chart-category", d.by_category);
      bars("chart-department", d.by_department, { color: "#7048e8" });
      bars("chart-overdue", d.overdue_by_department, { color: "#c92a2a" });
      bars("chart-project", d.by_project, { color: "#2f9e44" });
      bars("chart-by-channel", d.by_channel, { color: "#1971c2" });
      bars("chart-subject", d.by_subject, { color: "#5c940d" });
      bars("chart-escalation", d.by_escalation, { color: "#e03131" });
      bars("chart-channel", d.reply_by_channel, { color: "#e8590c", value: function (r) { return r.value; } });
      var max = 1;
      d.heat.cells.forEach(function (c) { if (c.count > max) { max = c.count; } });
      chart("chart-heat", {
        tooltip: { position: "top" },
        grid: { left: 8, right: 8, top: 10, bottom: 50, containLabel: true },
        xAxis: { type: "category", data: d.heat.buildings.map(function (b) { return b.label; }), splitArea: { show: true } },
        yAxis: { type: "category", data: d.heat.categories.map(function (c) { return c.label; }), splitArea: { show: true } },
        visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                     itemHeight: 80 },
        series: [{ type: "heatmap", label: { show: true },
                   data: d.heat.cells.map(function (c) { return { value: [c.x, c.y, c.count], drill: c.drill }; }) }]
      });
    })
    .catch(function () {
      document.getElementById("kpi-cards").innerHTML = "<p class='flash flash-error'>" + esc(words.failed) + "</p>";
    });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
