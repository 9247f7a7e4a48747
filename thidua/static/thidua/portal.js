// Public portal: keep the counters right when a page is shown from a cache, and copy links.
//
// Reading an article is counted by the server when it answers the page (200, or 304 when the
// browser or a proxy revalidates its copy). A page shown without asking the server (back/forward
// cache, a history navigation from the HTTP cache, a prerendered page) sends the beacon; the
// server's 30-minute deduplication makes a double count impossible. A page answered from a
// cache shows the figures of the moment it was made, so they are fetched again.
(function () {
  "use strict";
  var groups = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en" : "vi");

  function show(selector, figures) {
    Object.keys(figures || {}).forEach(function (key) {
      document.querySelectorAll("[" + selector + '="' + key + '"]').forEach(function (node) {
        var pad = parseInt(node.getAttribute("data-pad") || "0", 10);
        node.textContent = pad ? String(figures[key]).padStart(pad, "0") : groups.format(figures[key]);
      });
    });
  }

  function update(data) {
    if (!data) { return; }
    show("data-article-figure", data.article);
    show("data-figure", data.site);
  }

  function json(response) { return response.ok ? response.json() : null; }

  function navigation() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries[0] || null;
  }

  // The server never saw this reading: a page from the back/forward cache, from the HTTP
  // cache without revalidation (transferSize 0), or prefetched/prerendered before it was opened.
  function unseen(event, nav) {
    return event.persisted || Boolean(nav) && (
      nav.transferSize === 0 || nav.activationStart > 0 || nav.deliveryType === "navigational-prefetch");
  }

  // The server saw it (and counted it) but answered 304: the figures are the cached copy's.
  function revalidated(nav) {
    return Boolean(nav) && nav.transferSize > 0 && nav.transferSize < nav.encodedBodySize;
  }

  window.addEventListener("pageshow", function (event) {
    if (!window.fetch) { return; }
    var article = document.querySelector("[data-article]");
    var id = article ? article.getAttribute("data-article") : "";
    var nav = event.persisted ? null : navigation();
    if (article && unseen(event, nav)) {
      fetch(article.getAttribute("data-beacon"), {
        method: "POST", body: new URLSearchParams({ a: id }), keepalive: true, credentials: "omit"
      }).then(json).then(function (data) {
        update(data);
        if (data) { article.setAttribute("data-counted", String(data.counted)); }
      }).catch(function () { /* counting must never disturb reading */ });
    } else if (unseen(event, nav) || revalidated(nav)) {
      var url = document.body.getAttribute("data-figures") + (id ? "?a=" + encodeURIComponent(id) : "");
      fetch(url, { credentials: "omit" }).then(json).then(update).catch(function () {});
    }
  });

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
