/* The form's shared state: the store, the tablet's draft of this part and the sync counters.
 * Every module reads and changes this one object (an ES module's own bindings are read-only
 * to its importers). */
import {blankItem} from "./merge.js";
import {serial} from "./store.js";

export const state = {
  store: null,
  // {inspection, submissionId, started, items, representativeName, signatures, onSpot, submitted,
  //  recordUrl, submitQueued, evidence, score}
  draft: null,
  locked: false,            // read-only once the submit is queued or done
  pendingCount: 0,          // entries in the outbox
  inFlightSeq: null,        // the entry being sent
  lastError: false,         // the last try failed (network)
  queuing: 0,               // changes being written to the outbox right now
  timers: new Map(),        // item id → debounce timer
  pads: {},                 // role → SignaturePad
};

/** The tablet's state of item ``id`` (created blank). */
export function itemState(id) {
  const items = state.draft.items;
  if (!items[id]) items[id] = blankItem();
  return items[id];
}

/** A copy of the draft fit for IndexedDB. */
export function draftCopy() {
  return JSON.parse(JSON.stringify(state.draft));
}

export function persistDraft() {
  const copy = draftCopy();
  return serial(() => state.store.putDraft(copy)).catch(() => undefined);
}
