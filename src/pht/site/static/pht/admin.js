// Django's admin in PHT (loaded by templates/admin/base_site.html).
// The two-list selector (admin/js/SelectFilter2.js: a user's groups and permissions) puts a search icon,
// <span class="search-label-icon" aria-label="Type into this box to filter ...">, in each filter box's
// label; aria-label is not allowed on a span without a role (WCAG 4.1.2). The icon becomes what it is,
// an image with that text, which then also names the filter box. The selector is built on window load,
// after this script runs, so icons are fixed as they are added.
(function () {
  function nameIcons() {
    var icons = document.querySelectorAll(".search-label-icon[aria-label]:not([role])");
    Array.prototype.forEach.call(icons, function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  new MutationObserver(nameIcons).observe(document.documentElement, { childList: true, subtree: true });
  nameIcons();
})();
