// Give the rich-text area the label of the field it edits (screen readers announce it).
document.addEventListener("DOMContentLoaded", function () {
  var tries = 0;
  var timer = window.setInterval(function () {
    var areas = document.querySelectorAll(".prose-editor [contenteditable=true]");
    areas.forEach(function (area) {
      var textarea = area.closest(".prose-editor").querySelector("textarea");
      var label = textarea && document.querySelector('label[for="' + textarea.id + '"]');
      if (label && !area.hasAttribute("aria-label")) {
        area.setAttribute("aria-label", label.textContent.replace(/:\s*$/, ""));
        area.setAttribute("aria-multiline", "true");
      }
    });
    tries += 1;
    if (areas.length || tries > 50) { window.clearInterval(timer); }
  }, 100);
});
