/* Signing out on a shared tablet: drop the offline copies of inspection pages and photos the
 * service worker keeps, so the next person cannot read them offline. The outbox of unsent
 * answers is kept (losing answers is worse); its entries carry their author and are sent only
 * from that inspector's own session. */
(function () {
  "use strict";
  const form = document.querySelector("form[data-sign-out]");
  if (!form || !("caches" in window)) return;
  let cleared = false;
  form.addEventListener("submit", (event) => {
    if (cleared) return;
    event.preventDefault();
    const done = () => { cleared = true; form.submit(); };
    const timer = setTimeout(done, 1500);   // never keep anyone from signing out
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("careinspect-")).map((n) => caches.delete(n))))
      .catch(() => undefined)
      .then(() => { clearTimeout(timer); done(); });
  });
})();
