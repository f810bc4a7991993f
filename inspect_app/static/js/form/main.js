/* The inspection form on a tablet, start-up: steps, answer-by-answer saving, an IndexedDB
 * outbox, photos, signatures and an idempotent submit. Native ES modules, no build step, no
 * libraries; each module has one job (docs/architecture.md, "The tablet script").
 *
 * Progressive enhancement of the server-rendered form (docs/offline.md): every change the
 * inspector makes goes into one ordered outbox (outbox.js, store.js), sent in order whenever
 * the tablet is online (sync.js). This module reads the tablet's draft, merges it with the
 * page (merge.js), wires the events and starts the pump. */
import {sendSave, debounce, flushDebounced, renderConflict, saveItem} from "./answers.js";
import {sendStart} from "./begin.js";
import {mergeKnown} from "./known.js";
import {mergeItem} from "./merge.js";
import {session} from "./network.js";
import {droppedOnceSubmitted, hasSubmit, photoEntries, savesWaiting} from "./outbox.js";
import {INSPECTION, USER, byId, cssEscape, fieldsets, form, itemStatus, numberInput, readItem, remarkBox,
        representativeInput, submitButton, writeItem} from "./page.js";
import {addDeleteButton, addPhotos, addThumb, sendPhoto} from "./photos.js";
import {registerServiceWorker} from "./service-worker.js";
import {loadSignaturePad, setupSignatures} from "./signatures.js";
import {persistDraft, state} from "./state.js";
import {countPending, renderStatus} from "./status.js";
import {addStepButtons, showFirstStep, updateProgress} from "./steps.js";
import {openStore, serial} from "./store.js";
import {onSpotChanged, setupOnSpot} from "./onspot.js";
import {onSubmit, sendSubmit} from "./submit.js";
import {disableNumbersMarkedNa, lock} from "./submit-view.js";
import {pump, resume, useSenders} from "./sync.js";
import {t} from "./texts.js";

function initialDraft() {
  return {inspection: INSPECTION, submissionId: form.dataset.submissionId || "",
          started: !!form.dataset.submissionId || form.dataset.status === "draft",
          items: {}, representativeName: "", signatures: {}, onSpot: {}, submitted: false, submitQueued: false, recordUrl: ""};
}

/** Show on the page what the tablet holds that is newer than it, and its waiting photos. */
function mergeRendered(entries) {
  const draft = state.draft;
  const pendingItems = savesWaiting(entries);
  for (const fs of fieldsets) {
    const id = fs.dataset.itemId;
    const local = draft.items[id];
    const {item, kept} = mergeItem(local, readItem(fs), Number(fs.dataset.version) || 0, pendingItems.has(id));
    draft.items[id] = item;
    if (!local || !kept) continue;
    if (item.value !== null) writeItem(fs, item.value, item.remark);
    else if (item.remark) { const box = remarkBox(fs); if (box) box.value = item.remark; }
    fs.dataset.version = String(item.version || 0);
    if (item.pending) itemStatus(fs, t("waiting"), "pending");
    if (item.conflict) renderConflict(fs);
  }
  for (const entry of photoEntries(entries)) {
    const fs = byId.get(entry.item);
    if (fs && !form.querySelector(`li[data-client-id="${cssEscape(entry.clientId)}"]`)) {
      addThumb(fs, URL.createObjectURL(new Blob([entry.data], {type: entry.type})), entry.clientId, entry.stage);
    }
  }
}

function listen() {
  form.addEventListener("change", (event) => {
    const target = event.target;
    const fs = target.closest("fieldset.item[data-item-id]");
    if (target.type === "file") { addPhotos(target); return; }
    if (!fs || onSpotChanged(target)) return;
    if (target.type === "checkbox" && target.name.startsWith("na-")) {
      const input = numberInput(fs);
      if (input) input.disabled = target.checked;
    }
    saveItem(fs);
  });
  form.addEventListener("input", (event) => {
    const target = event.target;
    const fs = target.closest("fieldset.item[data-item-id]");
    if (fs && onSpotChanged(target)) return;
    if (fs && (target.type === "number" || target.tagName === "TEXTAREA")) { updateProgress(); debounce(fs); }
  });
  form.addEventListener("submit", (event) => event.preventDefault());   // Enter in a field
  if (submitButton) { submitButton.type = "button"; submitButton.addEventListener("click", onSubmit); }

  window.addEventListener("online", resume);
  window.addEventListener("offline", () => renderStatus());
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") pump(); });
  window.addEventListener("pagehide", flushDebounced);
}

async function start() {
  useSenders({start: sendStart, save: sendSave, photo: sendPhoto, submit: sendSubmit});
  addStepButtons();
  showFirstStep();

  state.store = await openStore(INSPECTION, USER);
  const saved = await state.store.getDraft().catch(() => null);
  const draft = state.draft = saved || initialDraft();
  draft.items = draft.items || {};
  const rendered = form.dataset.submissionId || "";
  if (rendered && rendered !== draft.submissionId) { draft.submissionId = rendered; draft.started = true; }
  if (rendered || form.dataset.status === "draft") draft.started = true;
  if (draft.submissionId) form.dataset.submissionId = draft.submissionId;

  let entries = await countPending();
  if (form.dataset.status !== "submitted") draft.submitted = false;
  if (form.dataset.status === "submitted") {
    // The server holds the record: only a re-sent submit (harmless, idempotent) may remain.
    await serial(async () => { for (const e of droppedOnceSubmitted(entries)) await state.store.remove(e.seq); });
    entries = await countPending();
    draft.submitted = true;
    draft.submitQueued = false;
  }
  mergeRendered(entries);
  mergeKnown();
  draft.submitQueued = hasSubmit(entries);

  const rep = representativeInput();
  if (rep) {
    if (!rep.value && draft.representativeName) rep.value = draft.representativeName;
    rep.addEventListener("input", () => { draft.representativeName = rep.value; persistDraft(); });
  }
  setupSignatures();
  setupOnSpot();
  for (const li of form.querySelectorAll("ul.photos li[data-evidence-id]")) addDeleteButton(li);
  await persistDraft();
  listen();

  if (draft.submitted) lock(true);
  else if (draft.submitQueued) lock(false, true);
  disableNumbersMarkedNa();
  updateProgress();
  renderStatus();
  form.dataset.ready = "1";       // the page is enhanced (tests and styles may rely on it)
  registerServiceWorker();
  // The page may come from the worker's cache, with an old token: refresh before replaying.
  session.tokenFresh = !entries.length;
  pump();
}

if (form && window.fetch && window.Promise) {
  loadSignaturePad().then(start).catch((err) => { if (window.console) console.error("inspection form:", err); });
}
