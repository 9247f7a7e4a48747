// Starts Swagger UI on the API documentation page (thidua/templates/api/docs.html) from its JSON
// settings block: no inline script, so the page runs under the CSP's script-src 'self'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrf = root.dataset.csrfToken;
  settings.domNode = root;
  delete settings.dom_id;
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  settings.layout = "BaseLayout";
  // "Try it out" with the session needs the CSRF token on writes; a bearer token does not.
  settings.requestInterceptor = function (request) {
    if (csrf && !request.headers.Authorization) {
      request.headers["X-CSRFToken"] = csrf;
    }
    return request;
  };
  window.SwaggerUIBundle(settings);
  // Swagger UI's dialog close button has no text for screen readers: name it in the page's language.
  var close = root.dataset.closeLabel;
  new MutationObserver(function () {
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", close);
    });
  }).observe(root, { childList: true, subtree: true });
})();
