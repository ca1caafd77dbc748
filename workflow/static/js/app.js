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
})();
