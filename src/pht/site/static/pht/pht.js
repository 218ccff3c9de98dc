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

// Wide tables scroll inside their own box instead of pushing the page sideways on a phone (390 px).
// When the box does scroll, it is a labelled region in the tab order, so keyboard users can scroll it
// too (WCAG 2.1.1, 1.4.10); when it fits, it stays out of the way.
function phtLabelOf(table) {
  var caption = table.querySelector("caption");
  if (caption && caption.textContent.trim()) return caption.textContent.trim();
  var label = table.getAttribute("aria-label");
  if (label) return label;
  for (var node = table.parentElement; node && node !== document.body; node = node.parentElement) {
    for (var sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      if (/^H[1-6]$/.test(sibling.tagName)) return sibling.textContent.trim();
    }
  }
  return document.title;
}

function phtUpdateScrollBox(box) {
  var label = box.getAttribute("data-label");
  if (!label) return;  // a box the template made focusable itself
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label);
  } else {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

function phtWrapTables(root) {
  var tables = root.querySelectorAll ? root.querySelectorAll("main table") : [];
  Array.prototype.forEach.call(tables, function (table) {
    if (table.parentElement.classList.contains("pht-scroll")) return;
    var box = document.createElement("div");
    box.className = "pht-scroll";
    box.setAttribute("data-label", phtLabelOf(table));
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".pht-scroll"), phtUpdateScrollBox);
}

document.addEventListener("DOMContentLoaded", function () { phtWrapTables(document); });
// Tables htmx swaps in later (progress, search results) get the same box.
document.addEventListener("htmx:load", function () { phtWrapTables(document); });
window.addEventListener("resize", function () {
  Array.prototype.forEach.call(document.querySelectorAll(".pht-scroll"), phtUpdateScrollBox);
});

// A job's progress fragment with data-reload-when-done (a page that shows the job's result, the
// national what-if) reloads the page when a poll brings the job as done, so the new result shows
// without the user reloading. Only a swapped-in fragment does so (a page opened on a done job stays).
// The focus is left alone; after the reload the fragment's live region (role="status") says the
// job's status again, as the reload cut its first announcement short.
var PHT_RELOADED_JOB = "pht-reloaded-job";
document.addEventListener("htmx:afterSettle", function (event) {
  var fragment = event.target;
  if (!(fragment instanceof Element) || !fragment.hasAttribute("data-reload-when-done")) return;
  if (fragment.getAttribute("data-job-status") !== "done") return;
  try {
    window.sessionStorage.setItem(PHT_RELOADED_JOB, fragment.id);
  } catch (e) { /* no storage: reload without the second announcement */ }
  window.location.reload();
});

document.addEventListener("DOMContentLoaded", function () {
  var id = null;
  try {
    id = window.sessionStorage.getItem(PHT_RELOADED_JOB);
    window.sessionStorage.removeItem(PHT_RELOADED_JOB);
  } catch (e) { return; }
  var fragment = id ? document.getElementById(id) : null;
  if (!fragment || !fragment.hasAttribute("data-reload-when-done")) return;
  var label = fragment.querySelector("label");
  // a change to the live region once the page is read, so screen readers announce it
  window.setTimeout(function () {
    var said = document.createElement("span");
    said.className = "ds-sr-only";
    said.setAttribute("data-testid", "job-reloaded");
    said.textContent = label ? label.textContent.trim() : "";
    fragment.appendChild(said);
  }, 500);
});
