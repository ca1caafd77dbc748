// Renders the OpenAPI document with the vendored Swagger UI (no CDN).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    // Deep links would put a link inside each operation's toggle button (nested controls).
    deepLinking: false,
    persistAuthorization: false,
  });
})();
