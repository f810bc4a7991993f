/* When the outbox is tried again: the back-off schedule after a network error (2 s doubling
 * to 30 s) and which answers are worth another try. Pure (tests/js/backoff.test.mjs). */

export const RETRY_MIN_MS = 2000;
export const RETRY_MAX_MS = 30000;

export class Backoff {
  constructor(min = RETRY_MIN_MS, max = RETRY_MAX_MS) {
    this.min = min;
    this.max = max;
    this.delay = min;
  }

  /** The wait before the next try after a failure; the wait after the next failure doubles. */
  failed() {
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.max);
    return wait;
  }

  /** After a success, or when the tablet comes back online. */
  reset() {
    this.delay = this.min;
  }
}

/** A request's result (network.js) that is not final: "retry" (no answer, a server error,
 *  too many requests, a timeout), "signed-out" (the session is gone), else null. */
export function transient(result) {
  if (result.network) return "retry";
  if (result.auth) return "signed-out";
  if (result.status >= 500 || result.status === 429 || result.status === 408) return "retry";
  return null;
}
