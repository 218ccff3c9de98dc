// Swagger UI (/api/docs) in PHT: two of its buttons, which React renders and PHT cannot change at the
// source, get an accessible name that matches what they show (WCAG 4.1.2, 2.5.3):
// - the authorization dialog's close button shows only an icon: it is named "Close";
// - a button whose aria-label leaves out its visible text ("Authorize" labelled "Apply credentials") is
//   named by its text, so a speech user can say what they see.
// Swagger UI renders after load and re-renders as operations open, so new buttons are named as they come.
(function () {
  function nameButtons(root) {
    Array.prototype.forEach.call(root.querySelectorAll("button.close-modal:not([aria-label])"), function (button) {
      button.setAttribute("aria-label", "Close");
    });
    Array.prototype.forEach.call(root.querySelectorAll("button[aria-label]"), function (button) {
      var text = button.textContent.trim();
      var label = button.getAttribute("aria-label");
      if (text && label.toLowerCase().indexOf(text.toLowerCase()) === -1) {
        button.setAttribute("aria-label", text);
      }
    });
  }
  var root = document.getElementById("swagger-ui");
  if (!root) return;
  new MutationObserver(function () { nameButtons(root); }).observe(root, { childList: true, subtree: true });
  nameButtons(root);
})();
