// PHT's own script (no inline scripts: the Content-Security-Policy forbids them).
// A <select data-autosubmit> submits its form when changed (the language menu).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
