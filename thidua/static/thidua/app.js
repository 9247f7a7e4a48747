// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:afterSwap", function (event) {
  var focus = event.detail.target.querySelector("[data-autofocus]");
  if (focus) { focus.focus(); }
});
