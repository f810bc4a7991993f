// When the outbox is tried again (inspect_app/static/js/form/backoff.js).
import {test} from "node:test";
import assert from "node:assert/strict";

import {Backoff, RETRY_MAX_MS, RETRY_MIN_MS, transient} from "../../inspect_app/static/js/form/backoff.js";

test("the wait after a network error is 2 s, doubling to at most 30 s", () => {
  assert.equal(RETRY_MIN_MS, 2000);
  assert.equal(RETRY_MAX_MS, 30000);
  const backoff = new Backoff();
  const waits = Array.from({length: 7}, () => backoff.failed());
  assert.deepEqual(waits, [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test("a success or coming back online starts the schedule again", () => {
  const backoff = new Backoff();
  backoff.failed();
  backoff.failed();
  backoff.reset();
  assert.equal(backoff.failed(), 2000);
  assert.equal(backoff.failed(), 4000);
});

test("other bounds can be given", () => {
  const backoff = new Backoff(100, 250);
  assert.deepEqual([backoff.failed(), backoff.failed(), backoff.failed()], [100, 200, 250]);
});

test("which answers are tried again, which stop the outbox, which are final", () => {
  assert.equal(transient({network: true}), "retry");
  assert.equal(transient({auth: true}), "signed-out");
  for (const status of [500, 502, 503, 429, 408]) assert.equal(transient({status, data: {}}), "retry", status);
  for (const status of [200, 201, 400, 404, 409, 413, 422]) assert.equal(transient({status, data: {}}), null, status);
});
