/* Service worker of the inspection form (served as /inspections/sw.js, scope /inspections/).
 *
 * One job: a reload while offline still shows the form. It keeps the last copy of each form
 * page (/inspections/<id>/form), the static files (/static/...) and the evidence thumbnails
 * (/inspections/<id>/evidence/<id>?thumb=1) it has seen, and serves them only when the
 * network fails (network first, so an online tablet always gets fresh pages). The form's
 * script modules and styles are fetched when the worker is installed (PRECACHE): an offline
 * reload needs every one of them. A new PRECACHE list comes with a new CACHE name, so the
 * old cache (files and page copies) is dropped when the new worker takes over.
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

const CACHE = "careinspect-form-v3";
const FORM_PAGE = /^\/inspections\/\d+\/form$/;
// The form page's files: the modules of static/js/form/ (the page preloads the same list,
// templates/inspections/form.html; tests/inspections/test_form.py compares them).
const PRECACHE = [
  "/static/app.css",
  "/static/inspections.css",
  "/static/js/sign-out.js",
  "/static/js/signature-pad.js",
  "/static/js/form/answers.js",
  "/static/js/form/backoff.js",
  "/static/js/form/begin.js",
  "/static/js/form/ids.js",
  "/static/js/form/known.js",
  "/static/js/form/main.js",
  "/static/js/form/merge.js",
  "/static/js/form/network.js",
  "/static/js/form/onspot.js",
  "/static/js/form/outbox.js",
  "/static/js/form/page.js",
  "/static/js/form/photos.js",
  "/static/js/form/rules.js",
  "/static/js/form/service-worker.js",
  "/static/js/form/shrink.js",
  "/static/js/form/signatures.js",
  "/static/js/form/state.js",
  "/static/js/form/status.js",
  "/static/js/form/steps.js",
  "/static/js/form/store.js",
  "/static/js/form/submit.js",
  "/static/js/form/submit-view.js",
  "/static/js/form/sync.js",
  "/static/js/form/texts.js",
];

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

/** Fetch ``urls`` into the cache; one that fails (offline, a server error) is skipped and the
 *  cache keeps what it had: the worker installs anyway, and the page hands it its files later. */
async function store(cache, urls) {
  for (const raw of urls) {
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
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) => store(cache, PRECACHE)));
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
  event.waitUntil(caches.open(CACHE).then((cache) => store(cache, data.urls.slice(0, 200))));
});
