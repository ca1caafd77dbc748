/* The ratings dashboard: the share satisfied of a unit by month, drawn from the figures the
   table beside it shows (data-chart). */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas.ratings-chart").forEach(function (canvas) {
    var data = JSON.parse(canvas.dataset.chart);
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: canvas.dataset.label, data: data.values, backgroundColor: "#146c43" }] },
      options: { animation: false, responsive: true, plugins: { legend: { position: "bottom" } }, scales: { y: { min: 0, max: 100 } } }
    });
  });
})();
