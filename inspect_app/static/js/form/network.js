/* Requests to the server: a timeout on each, the CSRF token (refreshed before a replay: tokens
 * expire; a 400 is retried once with a fresh one) and what an answer means — {network: true}
 * (no answer), {auth: true} (signed out), else {status, data}. */
import {URLS} from "./page.js";

export const REQUEST_TIMEOUT_MS = 30000;

export const session = {
  token: (document.querySelector('meta[name="csrf-token"]') || {}).content || "",
  tokenFresh: false,        // fetched since the last network error (or the page is fresh)
  signedOut: false,         // the last request met the log-in page: the outbox waits
};

function withTimeout(ms) {
  if (typeof AbortController !== "function") return {signal: undefined, done() {}};
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return {signal: controller.signal, done: () => clearTimeout(timer)};
}

/** One request: {network: true} when the request did not get an answer (offline, cut,
 *  timed out), {auth: true} when the session is gone, else {status, data}. */
export async function request(url, options, timeoutMs) {
  const timeout = withTimeout(timeoutMs || REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, Object.assign({credentials: "same-origin", redirect: "manual",
                                                cache: "no-store", signal: timeout.signal}, options));
  } catch (err) {
    return {network: true};
  } finally {
    timeout.done();
  }
  if (response.type === "opaqueredirect" || response.status === 401) return {auth: true};
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try { data = await response.json(); } catch (err) { return {network: true}; }  // body cut
  } else if (response.ok) {
    return {auth: true};   // an HTML page where JSON was expected: the log-in page
  }
  return {status: response.status, data: data || {}};
}

export async function refreshToken() {
  if (!URLS.csrf) return true;
  const result = await request(URLS.csrf, {method: "GET", headers: {Accept: "application/json"}});
  if (result.network) return false;
  if (result.auth || result.status !== 200 || !result.data.csrf_token) {
    session.signedOut = !!result.auth || session.signedOut;
    return false;
  }
  session.token = result.data.csrf_token;
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) meta.content = session.token;
  session.tokenFresh = true;
  session.signedOut = false;
  return true;
}

/** POST with the CSRF token; a 400 (expired token) is retried once with a fresh token.
 *  ``body`` is sent as JSON when ``json``, else it is a function returning the body. */
export async function post(url, body, json, timeoutMs) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = {"X-CSRFToken": session.token, Accept: "application/json"};
    if (json) headers["Content-Type"] = "application/json";
    const result = await request(url, {method: "POST", headers, body: json ? JSON.stringify(body) : body()}, timeoutMs);
    if (result.status === 400 && attempt === 0) {
      if (!(await refreshToken())) return {network: true};
      continue;
    }
    return result;
  }
  return {network: true};
}

/** The problems a refusal lists (or its error). */
export function problemsOf(data) {
  const problems = Array.isArray(data.problems) ? data.problems.map(String) : [];
  if (!problems.length && data.error) problems.push(String(data.error));
  return problems;
}
