/* The council's pages: planned-vs-actual charts, and on the scoring page the autosave and the
   live total. The total is computed by the server's engine (the preview endpoint), never here,
   so what the member sees is what will be stored. Without script the form's buttons save. */
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
    var status = document.getElementById("save-status");
    var token = form.querySelector("input[name=csrf_token]");
    var version = form.querySelector("input[name=version]");
    var autosaveUrl = form.dataset.autosave;
    var previewUrl = form.dataset.preview;
    var saveTimer = null, previewTimer = null, saving = false, pending = false, stale = false;

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

    function clearErrors() {
      form.querySelectorAll(".is-invalid.js-error").forEach(function (el) { el.classList.remove("is-invalid", "js-error"); el.removeAttribute("aria-invalid"); });
      form.querySelectorAll(".js-feedback").forEach(function (el) { el.remove(); });
    }

    function showErrors(errors) {
      clearErrors();
      Object.keys(errors || {}).forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (!input || !input.classList) return;
        input.classList.add("is-invalid", "js-error");
        input.setAttribute("aria-invalid", "true");
        var feedback = document.createElement("div");
        feedback.className = "invalid-feedback d-block js-feedback";
        feedback.textContent = errors[name].join(" ");
        input.insertAdjacentElement("afterend", feedback);
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
        if (r.ok) { clearErrors(); render(r.json); } else if (r.status === 422) { showErrors(r.json.errors); }
      }).catch(function () {});
    }

    function save() {
      if (!autosaveUrl || stale) return;
      if (saving) { pending = true; return; }
      saving = true;
      post(autosaveUrl).then(function (r) {
        if (r.ok) {
          version.value = r.json.version;
          status.textContent = form.dataset.savedText + " " + KPI.time(r.json.saved_at);
        } else if (r.status === 409) {
          stale = true;
          status.textContent = form.dataset.conflictText;
          status.classList.add("text-danger");
        } else {
          status.textContent = r.json.message || form.dataset.errorText;
          if (r.json.errors) showErrors(r.json.errors);
        }
      }).catch(function () {
        status.textContent = form.dataset.offlineText;
      }).finally(function () {
        saving = false;
        if (pending) { pending = false; save(); }
      });
    }

    form.addEventListener("input", function () {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, 400);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 3000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts();
    scorecard();
  });
})();
