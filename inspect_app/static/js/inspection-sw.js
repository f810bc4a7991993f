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
 *
 * A form page served from the cache is marked as such (data-offline-copy="1" on the form):
 * it may be older than what the tablet knows (photos uploaded since, the last score), and the
 * page script then shows the tablet's own record of them (docs/offline.md).
 */
"use strict";

const CACHE = "careinspect-form-v1";
const FORM_PAGE = /^\/inspections\/\d+\/form$/;

function cacheable(url, method) {
  if (method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/static/")) return true;
  if (FORM_PAGE.test(url.pathname)) return true;
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

/** The cached copy of a form page, marked as a copy for the page script. */
async function markedCopy(cached) {
  const html = await cached.text();
  const marked = html.replace('<form id="inspection-form"', '<form id="inspection-form" data-offline-copy="1"');
  return new Response(marked, {status: cached.status, statusText: cached.statusText, headers: cached.headers});
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (keep(response)) await cache.put(request.url, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request.url, {ignoreVary: true});
    if (cached) return FORM_PAGE.test(new URL(request.url).pathname) ? markedCopy(cached) : cached;
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
