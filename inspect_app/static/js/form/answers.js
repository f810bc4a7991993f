/* Answers, one by one: a check answer is queued when tapped, numbers and remarks 600 ms after
 * the last keystroke (at once when the field loses focus); two changes of an item waiting in
 * the outbox become one. A save the server refuses as stale (409) is shown as a conflict to
 * resolve: keep mine or use theirs. */
import {transient} from "./backoff.js";
import {ensureStarted, startAgain} from "./begin.js";
import {keepMine, markConflict, needsSave, resolveByEditing, takeTheirs} from "./merge.js";
import {post, problemsOf} from "./network.js";
import {coalesceTarget, savesWaiting, withdrawable} from "./outbox.js";
import {INSPECTION, URLS, button, byId, itemStatus, numberInput, readItem, valueLabel, writeItem} from "./page.js";
import {draftCopy, itemState, persistDraft, state} from "./state.js";
import {renderStatus} from "./status.js";
import {showScore, updateProgress} from "./steps.js";
import {serial} from "./store.js";
import {lock, showSubmitProblems} from "./submit-view.js";
import {done, pump} from "./sync.js";
import {t} from "./texts.js";

const DEBOUNCE_MS = 600;

/** Why the number typed for ``fs`` cannot be saved (below the input's min, e.g. a time
 *  below zero; not a number), or "" — the server refuses the same with a 422. */
export function numberProblem(fs) {
  const input = numberInput(fs);
  if (!input || input.disabled || input.value === "" || input.checkValidity()) return "";
  if (input.validity.rangeUnderflow && Number(input.min) === 0) return t("below_zero", {item: fs.dataset.itemId});
  return input.validationMessage || t("item_error", {message: input.value});
}

export function saveItem(fs) {
  queueSave(fs);
  renderStatus();             // a debounced change is no longer "typed, not yet queued"
}

function queueSave(fs) {
  if (state.locked) return;
  const id = fs.dataset.itemId;
  clearTimeout(state.timers.get(id));
  state.timers.delete(id);
  const refused = numberProblem(fs);
  if (refused) {
    itemStatus(fs, refused, "error");
    return;
  }
  let {value, remark} = readItem(fs);
  const it = itemState(id);
  updateProgress();
  if (value === null && (it.value == null || it.value === "")) {
    it.remark = remark;           // a remark without an answer is kept until the answer comes
    persistDraft();
    return;
  }
  value = value === null ? "" : value;    // an emptied number field clears the answer
  if (!needsSave(it, value, remark)) return;
  it.value = value;
  it.remark = remark;
  it.pending = true;
  if (resolveByEditing(it)) renderConflict(fs);
  itemStatus(fs, t("waiting"), "pending");
  state.queuing += 1;
  serial(async () => {
    await ensureStarted();
    await state.store.putDraft(draftCopy());
    const entries = await state.store.list();
    const queued = coalesceTarget(entries, id, state.inFlightSeq);
    if (queued) { queued.value = value; queued.remark = remark; await state.store.put(queued); }
    else await state.store.add({kind: "save", inspection: INSPECTION, item: id, value, remark});
    state.pendingCount = (await state.store.list()).length;
  }).then(() => { state.queuing -= 1; renderStatus(); pump(); }, () => { state.queuing -= 1; renderStatus(); });
}

/** A number or a remark being typed: saved when the typing pauses. */
export function debounce(fs) {
  const id = fs.dataset.itemId;
  clearTimeout(state.timers.get(id));
  state.timers.set(id, setTimeout(() => saveItem(fs), DEBOUNCE_MS));
  renderStatus();
}

/** Save what is being typed now (before a submit, when the page is hidden). */
export function flushDebounced() {
  for (const id of Array.from(state.timers.keys())) {
    const fs = byId.get(id);
    if (fs) saveItem(fs);
  }
}

/** The conflict box of an item (or none): the other answer, keep mine, use theirs. */
export function renderConflict(fs) {
  const id = fs.dataset.itemId;
  const it = itemState(id);
  let box = fs.querySelector(".conflict");
  if (!it.conflict) { if (box) box.remove(); return; }
  if (!box) {
    box = document.createElement("div");
    box.className = "conflict";
    box.setAttribute("role", "alert");
    fs.appendChild(box);
  }
  box.textContent = "";
  const other = it.conflict;
  const text = document.createElement("p");
  text.textContent = t("conflict", {value: valueLabel(fs, other.value),
                                    remark: other.remark ? t("remark", {remark: other.remark}) : ""});
  box.appendChild(text);
  box.appendChild(button(t("keep_mine"), "keep-mine primary", () => {
    keepMine(it);
    box.remove();
    saveItem(fs);
    renderStatus();
  }));
  box.appendChild(button(t("take_theirs"), "take-theirs", () => {
    writeItem(fs, other.value, other.remark || "");
    takeTheirs(it);
    fs.dataset.version = String(it.version);
    box.remove();
    persistDraft();
    updateProgress();
    itemStatus(fs, "", null);
    renderStatus();
  }));
  itemStatus(fs, "", null);
}

export async function sendSave(entry) {
  const fs = byId.get(entry.item);
  const it = itemState(entry.item);
  const body = () => ({item_id: entry.item, value: entry.value, remark: entry.remark || "", version: it.version || 0});
  let result = await post(URLS.save, body(), true);
  if (result.status === 409 && result.data.current === undefined && state.draft.submissionId) {
    // "Start the inspection first": the start was refused or lost; start again, then retry.
    if (await startAgain()) result = await post(URLS.save, body(), true);
  }
  const again = transient(result);
  if (again) return again;
  if (result.status === 200) {
    const version = Number(result.data.version);
    if (Number.isFinite(version)) it.version = version;
    if (fs) fs.dataset.version = String(it.version);
    await done(entry);
    const rest = await serial(() => state.store.list());
    it.pending = savesWaiting(rest).has(entry.item);
    it.conflict = null;
    if (result.data.score) state.draft.score = result.data.score;
    await persistDraft();
    if (fs) { itemStatus(fs, it.pending ? t("waiting") : t("item_saved"), it.pending ? "pending" : "saved"); renderConflict(fs); }
    showScore(result.data.score);
    updateProgress();
    return "done";
  }
  if (result.status === 409 && result.data.current !== undefined) {
    await done(entry);
    markConflict(it, result.data.current);
    await withdrawQueuedSubmit();
    await persistDraft();
    if (fs) renderConflict(fs);
    return "done";
  }
  // Refused (422 and the like): show why, keep the answer on screen, drop the entry.
  await done(entry);
  it.pending = false;
  await persistDraft();
  if (fs) itemStatus(fs, t("item_error", {message: problemsOf(result.data).join("; ") || result.status}), "error");
  return "done";
}

/** A conflict found while a submit waits behind it: the submit must not overwrite the
 *  other inspector's answer unseen, so it goes back to the inspector. */
async function withdrawQueuedSubmit() {
  const removed = await serial(async () => {
    const queued = withdrawable(await state.store.list(), state.inFlightSeq);
    for (const e of queued) await state.store.remove(e.seq);
    return queued.length;
  });
  if (removed) {
    state.draft.submitQueued = false;
    lock(false);
    showSubmitProblems([t("resolve_conflicts")]);
  }
}
