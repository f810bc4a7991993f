/* The outbox's rules: which entries belong to this form and author, in which order they are
 * sent, which waiting entry a new change merges into. Pure: plain data in, plain data out
 * (tested with Node: tests/js/outbox.test.mjs).
 *
 * Entries (one IndexedDB store, ordered by its auto-increment key `seq`; store.js):
 *   {kind: "start",  inspection, submissionId}
 *   {kind: "save",   inspection, item, value, remark}      version is read when sent
 *   {kind: "photo",  inspection, item, clientId, type, name, data: ArrayBuffer}
 *   {kind: "submit", inspection, body}                        the body is built once
 * Each carries its author (`user`): a tablet passed to a colleague never sends one person's
 * queued answers under another's session (they wait until their author opens the form again).
 */

/** Is ``entry`` the author's? Entries queued before authors were recorded belong to anyone. */
export function mine(entry, user) {
  return !entry.user || entry.user === user;
}

/** This form's and this author's entries, first in first out. */
export function inOrder(entries, inspection, user) {
  return entries.filter((e) => e.inspection === inspection && mine(e, user)).sort((a, b) => a.seq - b.seq);
}

/** The waiting save of ``item`` a new change of it is merged into (never the one being sent). */
export function coalesceTarget(entries, item, inFlightSeq) {
  return entries.find((e) => e.kind === "save" && e.item === item && e.seq !== inFlightSeq) || null;
}

export function hasStart(entries) {
  return entries.some((e) => e.kind === "start");
}

export function hasSubmit(entries) {
  return entries.some((e) => e.kind === "submit");
}

/** The items with a save waiting. */
export function savesWaiting(entries) {
  return new Set(entries.filter((e) => e.kind === "save").map((e) => e.item));
}

export function photoEntries(entries) {
  return entries.filter((e) => e.kind === "photo");
}

/** The submits a conflict takes back: not being sent and not yet bound to the submission id
 *  (a bound body has been sent once and is only ever re-sent unchanged). */
export function withdrawable(entries, inFlightSeq) {
  return entries.filter((e) => e.kind === "submit" && e.seq !== inFlightSeq && !e.body.submission_id);
}

/** What is dropped once the server holds the record: everything but a re-sent submit
 *  (harmless, idempotent). */
export function droppedOnceSubmitted(entries) {
  return entries.filter((e) => e.kind !== "submit");
}
