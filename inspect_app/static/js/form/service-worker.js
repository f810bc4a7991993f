/* The page's side of the service worker (inspection-sw.js, served as /inspections/sw.js):
 * register it, and hand it the page and its files on the first visit (which it did not see)
 * and each new thumbnail, so a reload while offline still shows the form. */
import {URLS} from "./page.js";

function assetUrls() {
  const urls = [location.href.split("#")[0]];
  const selector = "script[src], link[rel=stylesheet][href], link[rel=modulepreload][href], ul.photos img[src]";
  for (const node of document.querySelectorAll(selector)) {
    const url = node.src || node.href;
    if (url && !url.startsWith("blob:") && !url.startsWith("data:")) urls.push(url);
  }
  return urls;
}

export function cacheUrls(urls) {
  if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
  navigator.serviceWorker.controller.postMessage({type: "cache", urls: urls.filter(Boolean)});
}

export function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || URLS.sw === "") return;
  const url = URLS.sw || "/inspections/sw.js";
  navigator.serviceWorker.register(url).then(() => navigator.serviceWorker.ready).then((registration) => {
    // The first visit was not fetched through the worker: hand it the page and its files.
    if (registration.active) registration.active.postMessage({type: "cache", urls: assetUrls()});
  }).catch(() => undefined);
}
