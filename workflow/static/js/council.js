/* The council's pages: planned-vs-actual charts, and on the scoring page the live total. The
   total is computed by the server's engine (the preview endpoint), never here, so what the
   member sees is what will be stored. The draft saves itself through keepwork.js, as every long
   form does; without script the form's buttons save. */
(function () {
  "use strict";

  function charts() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas.plan-chart").forEach(function (canvas) {
      var data = JSON.parse(canvas.dataset.chart);
      new Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: canvas.dataset.planLabel, data: data.plan, borderColor: "#6c757d", borderDash: [6, 4], spanGaps: true },
            { label: canvas.dataset.actualLabel, data: data.actual, borderColor: "#8b1a1a", backgroundColor: "#8b1a1a", spanGaps: false }
          ]
        },
        options: { animation: false, responsive: true, plugins: { legend: { position: "bottom" },
                   tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + KPI.number(ctx.parsed.y); } } } },
                   scales: { y: { ticks: { callback: function (v) { return KPI.number(v); } } } } }
      });
    });
  }

  function scorecard() {
    var form = document.getElementById("scorecard-form");
    if (!form) return;
    var token = form.querySelector("input[name=csrf_token]");
    var previewUrl = form.dataset.preview;
    var previewTimer = null;
    var errors = window.KPIKeep;  // keepwork.js: field errors by input name (it also saves the draft)

    function post(url) {
      var body = new FormData(form);
      body.delete("action");
      return fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, status: response.status, json: json }; });
      });
    }

    function setText(selector, value) {
      var el = form.querySelector(selector);
      if (el) el.textContent = value;
    }

    function render(result) {
      ["general_points", "task_points", "subordinate_deduction", "total", "level_name"].forEach(function (key) {
        var value = result[key];
        if (key !== "level_name") value = KPI.number(value, 2);
        setText('[data-total="' + key + '"]', value);
      });
      var failed = form.querySelector("[data-failed]");
      if (failed) {
        failed.textContent = "";
        result.failed.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; failed.appendChild(li); });
      }
      result.targets.forEach(function (line) {
        var box = form.querySelector('.target-line[data-target="' + line.target_id + '"]');
        if (!box) return;
        Object.keys(line).forEach(function (key) {
          var cell = box.querySelector('[data-figure="' + key + '"]');
          if (cell) cell.textContent = KPI.number(line[key]);
        });
        var notes = box.querySelector("[data-notes]");
        if (notes) {
          notes.textContent = "";
          line.notes.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; notes.appendChild(li); });
        }
      });
    }

    function preview() {
      post(previewUrl).then(function (r) {
        if (r.ok) { errors.clearErrors(form); render(r.json); } else if (r.status === 422) { errors.showErrors(form, r.json.errors); }
      }).catch(function () {});
    }

    form.addEventListener("input", function () {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, 400);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts();
    scorecard();
  });
})();
