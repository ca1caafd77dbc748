// Report pages: the planned-against-actual chart of each quantitative target. The data is in
// the canvas's data-chart attribute (JSON), never in an inline script (the CSP forbids them).
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var forecast = data.labels.map(function (_, i) {
      if (i === data.labels.length - 1) { return data.forecast; }
      // The forecast line starts from the last quarter reported.
      var last = -1;
      data.actual.forEach(function (v, j) { if (v !== null) { last = j; } });
      return i === last && data.forecast !== null ? data.actual[i] : null;
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: canvas.getAttribute("data-label-plan"), data: data.plan, borderColor: "#52606d",
            backgroundColor: "#52606d", borderDash: [6, 4], tension: 0, spanGaps: true },
          { type: "bar", label: canvas.getAttribute("data-label-actual"), data: data.actual, backgroundColor: "#8b1a1a" },
          { type: "line", label: canvas.getAttribute("data-label-forecast"), data: forecast, borderColor: "#c27c0e",
            backgroundColor: "#c27c0e", borderDash: [2, 3], pointStyle: "triangle", pointRadius: 5, spanGaps: true }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + window.KPI.number(ctx.parsed.y) + (data.measure ? " " + data.measure : "");
          } } }
        },
        // A level measured from its baseline (a rate, a share) reads better from the baseline up.
        scales: { y: { beginAtZero: !data.start, suggestedMin: data.start || 0,
                       ticks: { callback: function (v) { return window.KPI.number(v); } } } }
      }
    });
  });
})();
