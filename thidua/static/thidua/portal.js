// Public portal: count the view once per page load (also when the page came from a
// cache), show the fresh figures, and copy the article's link.
(function () {
  "use strict";
  var groups = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en" : "vi");

  function show(selector, figures) {
    Object.keys(figures).forEach(function (key) {
      document.querySelectorAll("[" + selector + '="' + key + '"]').forEach(function (node) {
        var pad = parseInt(node.getAttribute("data-pad") || "0", 10);
        node.textContent = pad ? String(figures[key]).padStart(pad, "0") : groups.format(figures[key]);
      });
    });
  }

  function refresh() {
    // Pages without an article: the page may come from a cache, its footer figures too.
    var url = document.body.getAttribute("data-figures");
    if (!url || !window.fetch) { return; }
    fetch(url, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show("data-figure", data.site); } })
      .catch(function () {});
  }

  function count() {
    var article = document.querySelector("[data-article]");
    if (!article) { refresh(); return; }
    if (!window.fetch) { return; }
    var body = new URLSearchParams({ a: article.getAttribute("data-article") });
    fetch(article.getAttribute("data-beacon"), { method: "POST", body: body, keepalive: true, credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        show("data-article-figure", data.article);
        show("data-figure", data.site);
        document.documentElement.setAttribute("data-view-counted", String(data.counted));
      })
      .catch(function () { /* counting must never disturb reading */ });
  }

  // pageshow also fires when the browser restores the page from its back/forward cache.
  window.addEventListener("pageshow", count);

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-link");
    if (!button) { return; }
    var status = button.parentNode.querySelector(".copy-status");
    var done = function () { if (status) { status.textContent = button.getAttribute("data-done"); } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(button.getAttribute("data-url")).then(done, function () {});
    } else {
      var field = document.getElementById("share-url");
      if (field) { field.select(); if (document.execCommand("copy")) { done(); } }
    }
  });
})();
