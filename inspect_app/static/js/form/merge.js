/* What the tablet holds against what a page or the server says: each item's answer, its
 * version and its conflict, and the photos the server holds as the tablet last knew them.
 * Nothing is overwritten silently: an answer not yet sent or an open conflict is kept; the
 * server finds a stale base version on replay. Pure (tests/js/merge.test.mjs).
 *
 * An item's state: {value, remark, version, pending, conflict}; conflict is the other answer
 * ({value, remark, version}) the server returned with a 409, until the inspector chooses. */

export function blankItem() {
  return {value: null, remark: "", version: 0, pending: false, conflict: null};
}

/** The state of an answer as a page (or the server) gives it. */
export function fromServer(answer, version) {
  return {value: answer.value, remark: answer.remark, version, pending: false, conflict: null};
}

/** Merge the tablet's ``local`` state of an item with the ``rendered`` answer of the page at
 *  ``renderedVersion``; ``pending`` when a save of it waits in the outbox. Returns the state to
 *  keep and ``kept``: true when the tablet's answer is the one to show (it is newer than the
 *  page — a page from the cache, answers given offline —, not sent yet, or in conflict). */
export function mergeItem(local, rendered, renderedVersion, pending) {
  if (!local) return {item: fromServer(rendered, renderedVersion), kept: false};
  local.pending = pending;
  if (local.pending || local.conflict || (local.version || 0) >= renderedVersion) {
    if (!local.pending && !local.conflict) local.version = Math.max(local.version || 0, renderedVersion);
    return {item: local, kept: true};
  }
  // The server has a newer answer (another inspector, or this one on another device).
  return {item: fromServer(rendered, renderedVersion), kept: false};
}

/** Does the answer shown need a save? Not when it is what the tablet holds and no conflict is open. */
export function needsSave(it, value, remark) {
  return !(value === it.value && remark === (it.remark || "") && !it.conflict);
}

/** A 409 for the item: ``current`` is the stored answer (null when it was removed). */
export function markConflict(it, current) {
  it.conflict = current || {value: null, remark: "", version: 0};
  it.pending = false;
  return it;
}

/** "Keep mine": the answer is saved again on top of their version. */
export function keepMine(it) {
  it.version = Number(it.conflict.version) || 0;
  it.conflict = null;
  it.value = null;                // forces a new save based on their version
  return it;
}

/** "Use theirs": their answer becomes the tablet's. */
export function takeTheirs(it) {
  const other = it.conflict;
  it.value = other.value;
  it.remark = other.remark || "";
  it.version = Number(other.version) || 0;
  it.conflict = null;
  it.pending = false;
  return it;
}

/** The inspector changed an item in conflict: that resolves it on top of the other version. */
export function resolveByEditing(it) {
  if (!it.conflict) return false;
  it.version = Number(it.conflict.version) || 0;
  it.conflict = null;
  return true;
}

/** The version this tablet last saw of each answer in ``answers`` (``itemOf(id)`` is the
 *  item's state, undefined for an id the form does not have). */
export function knownVersions(answers, itemOf) {
  const versions = {};
  for (const id of Object.keys(answers)) {
    const it = itemOf(id);
    if (it) versions[id] = Number(it.version) || 0;
  }
  return versions;
}

/* The photos the server holds as this tablet last knew them: item id → [{id, src, del}]. */

/** Record an upload (once per id); returns the record (created when missing). */
export function knowEvidence(evidence, item, row) {
  const known = evidence || {};
  const rows = known[item] || (known[item] = []);
  if (!rows.some((r) => String(r.id) === String(row.id))) rows.push(Object.assign({}, row, {id: String(row.id)}));
  return known;
}

/** Record a removal. */
export function forgetEvidence(evidence, id) {
  for (const rows of Object.values(evidence || {})) {
    const at = rows.findIndex((r) => String(r.id) === String(id));
    if (at >= 0) rows.splice(at, 1);
  }
}

/** On a cached copy of the page: the stored photos ``shownIds`` it shows that the server no
 *  longer holds (to remove) and the known ``rows`` it lacks (to add). */
export function evidenceToShow(rows, shownIds) {
  const known = rows || [];
  const ids = new Set(known.map((r) => String(r.id)));
  const shown = new Set(shownIds.map(String));
  return {remove: shownIds.map(String).filter((id) => !ids.has(id)),
          add: known.filter((r) => !shown.has(String(r.id)))};
}
