/* The outbox pump: sends the outbox in order whenever the tablet is online — at once, on
 * `online`, when the page is shown again, on page load and on a back-off timer after a
 * network error (iPad Safari has no Background Sync). Before replaying, the CSRF token is
 * refreshed. Each kind of entry is sent by the module that queues it (useSenders). */
import {Backoff, RETRY_MAX_MS} from "./backoff.js";
import {refreshToken, session} from "./network.js";
import {state} from "./state.js";
import {countPending, renderStatus} from "./status.js";
import {serial} from "./store.js";

const backoff = new Backoff();
let senders = {};
let pumping = false;
let pumpAgain = false;
let retryTimer = null;

/** kind → async (entry) → "done" | "retry" | "signed-out". */
export function useSenders(map) {
  senders = map;
}

/** An entry is done (sent, or refused for good): out of the outbox. */
export function done(entry) {
  return serial(() => state.store.remove(entry.seq));
}

function schedule(delay) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { retryTimer = null; pump(); }, delay);
}

async function send(entry) {
  const sender = senders[entry.kind];
  if (sender) return sender(entry);
  await done(entry);
  return "done";
}

export async function pump() {
  if (!state.store || !state.draft) return;
  if (pumping) { pumpAgain = true; return; }
  pumping = true;
  try {
    do {
      pumpAgain = false;
      for (;;) {
        const entry = await serial(async () => {
          const entries = await state.store.list();
          state.pendingCount = entries.length;
          state.inFlightSeq = entries.length ? entries[0].seq : null;
          return entries[0] || null;
        });
        renderStatus();
        if (!entry) { state.lastError = false; break; }
        if (!navigator.onLine) break;
        if (!session.tokenFresh && !(await refreshToken())) {
          state.lastError = true;
          const wait = backoff.failed();
          if (!session.signedOut) schedule(wait);
          break;
        }
        const outcome = await send(entry);
        state.inFlightSeq = null;
        if (outcome === "retry") {
          state.lastError = true;
          session.tokenFresh = false;     // the connection dropped: refresh before the next try
          schedule(backoff.failed());
          break;
        }
        if (outcome === "signed-out") { session.signedOut = true; schedule(RETRY_MAX_MS); break; }
        state.lastError = false;
        backoff.reset();
      }
    } while (pumpAgain && navigator.onLine);
  } finally {
    state.inFlightSeq = null;
    pumping = false;
    await countPending().catch(() => undefined);
    renderStatus();
  }
}

/** Back online: a fresh token, a new schedule, and the outbox at once. */
export function resume() {
  session.tokenFresh = false;
  session.signedOut = false;
  backoff.reset();
  clearTimeout(retryTimer);
  pump();
}
