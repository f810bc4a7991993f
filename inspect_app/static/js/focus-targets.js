/* A problem list's in-page links move keyboard focus to the item they name, not only the
 * scroll position (WCAG 2.4.3, 2.4.7): after following "FIRE-05 is not answered" the next Tab
 * continues from that item instead of from the top of the page. A target that cannot take
 * focus gets tabindex="-1". Runs after the link's own handlers (which may first show the
 * target's step of the form). */
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link || !link.closest(".problems, .submit-problems")) return;
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    const target = id ? document.getElementById(id) : null;
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    setTimeout(() => target.focus({preventScroll: event.defaultPrevented}), 0);
  });
})();
