/* Service worker of the inspection form (served as /inspections/sw.js, scope /inspections/).
 *
 * One job: a reload while offline still shows the form. It keeps the last copy of each form
 * page (/inspections/<id>/form), the static files (/static/...) and the evidence thumbnails
 * (/inspections/<id>/evidence/<id>?thumb=1) it has seen, and serves them only when the
 * network fails (network first, so an online tablet always gets fresh pages).
 *
 * It never touches anything else: every POST (saves, photos, submit), the CSRF token and all
 * JSON go straight to the network; the answers given offline live in the page's IndexedDB
 * outbox, not here. The page posts {type: "cache", urls: [...]} so the page it was loaded
 * with (before this worker controlled it) and new thumbnails are kept too.
 */
"use strict";

const CACHE = "careinspect-form-v1";

function cacheable(url, method) {
  if (method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/static/")) return true;
  if (/^\/inspections\/\d+\/form$/.test(url.pathname)) return true;
  return /^\/inspections\/\d+\/evidence\/\d+$/.test(url.pathname) && url.searchParams.get("thumb") === "1";
}

function keep(response) {
  // Only complete, same-origin, successful answers: never a redirect to the log-in page.
  return response && response.ok && response.type === "basic" && !response.redirected;
}

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("careinspect-form-") && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (keep(response)) await cache.put(request.url, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request.url, {ignoreVary: true});
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (!cacheable(url, request.method)) return;      // the browser fetches it as usual
  event.respondWith(networkFirst(request));
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "cache" || !Array.isArray(data.urls)) return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const raw of data.urls.slice(0, 200)) {
      let url;
      try { url = new URL(raw, self.location.origin); } catch (err) { continue; }
      url.hash = "";
      if (!cacheable(url, "GET")) continue;
      try {
        const response = await fetch(url.href, {credentials: "same-origin", cache: "no-cache"});
        if (keep(response)) await cache.put(url.href, response);
      } catch (err) {
        // offline: keep what is cached
      }
    }
  })());
});
