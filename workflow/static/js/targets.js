// Target form: show the fields of the chosen kind only. Without JavaScript both groups stay
// visible under their headings and the server ignores the other kind's fields.
(function () {
  "use strict";
  var kind = document.querySelector("[data-kind-switch]");
  if (!kind) { return; }
  function update() {
    document.querySelectorAll("[data-kind-group]").forEach(function (group) {
      group.hidden = group.getAttribute("data-kind-group") !== kind.value;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
