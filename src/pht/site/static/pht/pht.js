// PHT's own script (no inline scripts: the Content-Security-Policy forbids them).
// A <select data-autosubmit> submits its form when changed (the language menu).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});

// A form with data-confirm="question" asks the question before it is sent (removals, withdrawals);
// "Cancel" keeps the page as it is. Without JavaScript the form is sent unasked, as before.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }
});
