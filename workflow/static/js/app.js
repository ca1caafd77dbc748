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
