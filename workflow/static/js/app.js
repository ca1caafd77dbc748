// Small behaviours for every page. No inline scripts anywhere: the CSP forbids them.
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
})();
