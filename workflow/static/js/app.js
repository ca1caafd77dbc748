// Small behaviours for every page. No inline scripts anywhere: the CSP forbids them.

// Numbers and times the Vietnamese way whatever the page's language (as workflow/core/formats.py
// writes them on the server): KPI.number(1234.5) → "1.234,5", KPI.number(92.5, 2) → "92,50",
// KPI.time("2026-12-06T21:27:00+00:00") → "04:27" in the province's time zone (<html data-timezone>).
window.KPI = window.KPI || {};
(function (KPI) {
  "use strict";
  var zone = document.documentElement.getAttribute("data-timezone") || "Asia/Ho_Chi_Minh";
  KPI.number = function (value, decimals) {
    var fixed = typeof decimals === "number";
    return new Intl.NumberFormat("vi-VN", { minimumFractionDigits: fixed ? decimals : 0, maximumFractionDigits: fixed ? decimals : 4 })
      .format(Number(value));
  };
  KPI.time = function (value) {
    return new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone })
      .format(value instanceof Date ? value : new Date(value));
  };
})(window.KPI);

(function () {
  "use strict";
  // Ask before destructive actions: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Move focus to the error summary so keyboard and screen-reader users hear what to fix.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  // Submit a select's form when it changes: <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
  });
  // A table wider than the screen scrolls inside its .table-responsive box: that box then takes
  // the keyboard focus (the arrow keys scroll it) and is named after the table's caption.
  function scrollableTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) { box.setAttribute("aria-label", caption.textContent.trim()); }
        box.dataset.scrolls = "1";
      } else if (!scrolls && box.dataset.scrolls) {
        ["tabindex", "role", "aria-label", "data-scrolls"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  scrollableTables();
  window.addEventListener("resize", scrollableTables);

  // A refused form comes back on its page (workflow.core.web.refused_form_page): put back what
  // the person typed, and each message beside the field it concerns; messages about no field of
  // the form go at its top. The address becomes the page's again, so reloading reloads the page.
  function restoreRefusedForm() {
    var box = document.querySelector("[data-refusal]");
    if (!box) { return; }
    var refusal = JSON.parse(box.getAttribute("data-refusal"));
    if (window.history && window.history.replaceState) { window.history.replaceState(null, "", refusal.page); }
    var form = Array.prototype.find.call(document.forms, function (candidate) {
      var url = new URL(candidate.action, window.location.href);
      return candidate.method.toLowerCase() === "post" && url.pathname + url.search === refusal.action;
    });
    if (!form) { return; }
    var skipped = ["hidden", "file", "password", "submit", "button", "reset", "image"];
    Object.keys(refusal.values).forEach(function (name) {
      var typed = refusal.values[name], used = 0;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name || skipped.indexOf(el.type) >= 0 || el.tagName === "BUTTON") { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = typed.indexOf(el.value) >= 0;
        } else if (el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = typed.indexOf(o.value) >= 0; });
        } else if (used < typed.length) {
          el.value = typed[used++];
        }
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
    var general = [];
    Object.keys(refusal.errors).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.length !== undefined && !field.tagName) { field = field[0]; }
      if (!field || field.type === "hidden") { general = general.concat(refusal.errors[name]); return; }
      var id = (field.id || "refused-" + name.replace(/[^\w-]/g, "-")) + "-refused";
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.id = id;
      note.textContent = refusal.errors[name].join(" ");
      var anchor = field.closest(".input-group, .form-check") || field;
      anchor.insertAdjacentElement("afterend", note);
      field.classList.add("is-invalid");
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + id).trim());
    });
    if (general.length) {
      var alert = document.createElement("div");
      alert.className = "alert alert-danger small";
      alert.setAttribute("role", "alert");
      alert.textContent = general.join(" ");
      form.insertAdjacentElement("afterbegin", alert);
    }
    var first = form.querySelector(".is-invalid");
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
  }
  restoreRefusedForm();
})();
