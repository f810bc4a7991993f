/* The submit: the whole body is built once — every answer, the remarks, the representative's
 * name, both signatures and the on-the-spot marks (onspot.js) — after a local check of what can be checked (rules.js), stored in
 * the outbox and re-sent unchanged until the server answers; the server's idempotency turns
 * any number of retries into one record. A refusal opens the form again. */
import {transient} from "./backoff.js";
import {ensureStarted} from "./begin.js";
import {flushDebounced, numberProblem, renderConflict} from "./answers.js";
import {knownVersions, markConflict} from "./merge.js";
import {post, problemsOf} from "./network.js";
import {INSPECTION, URLS, byId, fieldsets, form, itemFacts, readItem, representativeInput,
        submitButton} from "./page.js";
import {onSpotEntries, readOnSpot} from "./onspot.js";
import {itemProblem, onSpotMarks} from "./rules.js";
import {signatureImages, unsigned} from "./signatures.js";
import {draftCopy, itemState, persistDraft, state} from "./state.js";
import {renderStatus} from "./status.js";
import {showScore, showStep, stepOf} from "./steps.js";
import {serial} from "./store.js";
import {clearSubmitProblems, lock, showSubmitProblems} from "./submit-view.js";
import {done, pump} from "./sync.js";
import {t} from "./texts.js";

/** What keeps the form from being submitted, each linked to its item (or field). */
function localProblems() {
  const problems = [];
  for (const fs of fieldsets) {
    const legend = fs.querySelector("legend");
    const name = fs.dataset.itemId + (legend ? " " + legend.textContent.trim().slice(0, 40) : "");
    const {value} = readItem(fs);
    // The photos the server holds (as this tablet knows them) and those waiting in the outbox.
    const problem = itemProblem({item: itemFacts(fs), value, conflict: itemState(fs.dataset.itemId).conflict,
                                 invalid: value === null ? "" : numberProblem(fs),
                                 photos: fs.querySelectorAll("ul.photos li").length, onSpot: readOnSpot(fs)});
    if (problem) problems.push({fs, text: problem.text || t(problem.key, {item: name})});
  }
  const rep = representativeInput();
  if (rep && !rep.value.trim()) problems.push({fs: rep, text: t("representative_required")});
  if (unsigned()) problems.push({fs: form.querySelector("canvas[data-signature]"), text: t("signature_required")});
  return problems;
}

function buildBody() {
  const answers = {};
  const remarks = {};
  for (const fs of fieldsets) {
    const {value, remark} = readItem(fs);
    if (value !== null) answers[fs.dataset.itemId] = value;
    if (remark && remark.trim()) remarks[fs.dataset.itemId] = remark;
  }
  const rep = representativeInput();
  const body = {submission_id: "", answers, remarks, representative_name: rep ? rep.value.trim() : "",
                signatures: signatureImages()};
  const onSpot = onSpotMarks(onSpotEntries());
  if (Object.keys(onSpot).length) body.on_spot = onSpot;
  return body;
}

let submitting = false;       // guards a double tap before the entry is stored

export async function onSubmit(event) {
  event.preventDefault();
  if (submitting || state.locked || state.draft.submitted) return;
  submitting = true;
  if (submitButton) submitButton.disabled = true;
  try {
    flushDebounced();
    const problems = localProblems();
    if (problems.length) {
      showSubmitProblems(problems);
      if (submitButton) submitButton.disabled = false;
      return;
    }
    clearSubmitProblems();
    const body = buildBody();
    lock(false, true);
    state.draft.submitQueued = true;
    await serial(async () => {
      await ensureStarted();
      await state.store.putDraft(draftCopy());
      await state.store.add({kind: "submit", inspection: INSPECTION, body});
      state.pendingCount = (await state.store.list()).length;
    });
    renderStatus();
    pump();
  } finally {
    submitting = false;
  }
}

export async function sendSubmit(entry) {
  const draft = state.draft;
  if (!entry.body.submission_id) {
    // Bound to the id on the first send and never changed afterwards (retries are identical).
    // The versions are those this tablet knows once every save queued before the submit was
    // answered: the server refuses to overwrite an answer someone else saved since.
    entry.body.submission_id = draft.submissionId;
    entry.body.versions = knownVersions(entry.body.answers || {}, (id) => (byId.has(id) ? itemState(id) : undefined));
    await serial(() => state.store.put(entry));
  }
  const result = await post(URLS.submit, entry.body, true);
  const again = transient(result);
  if (again) return again;
  if (result.status === 409 && result.data.conflicts && typeof result.data.conflicts === "object") {
    return submitConflicts(entry, result.data.conflicts);
  }
  if (result.status === 409) return "retry";       // the first copy is still being processed
  await done(entry);
  if (result.status === 200) {
    draft.submitted = true;
    draft.submitQueued = false;
    draft.recordUrl = result.data.record_url || URLS.record;
    form.dataset.status = "submitted";
    await persistDraft();
    lock(true);
    showScore(result.data.result);
    clearSubmitProblems();
    return "done";
  }
  // Refused: show the problems and let the inspector correct and submit again.
  draft.submitQueued = false;
  await persistDraft();
  lock(false);
  showSubmitProblems([t("submit_refused")].concat(problemsOf(result.data)));
  return "done";
}

/** The server refused the submit (409, nothing stored): answers were saved by someone else
 *  after this tablet last saw them. Each is shown like a save conflict (keep mine / use
 *  theirs); the inspector resolves them and submits again under the same submission id. */
async function submitConflicts(entry, conflicts) {
  await done(entry);
  for (const [id, current] of Object.entries(conflicts)) {
    const fs = byId.get(id);
    if (!fs) continue;
    markConflict(itemState(id), current);
    renderConflict(fs);
  }
  state.draft.submitQueued = false;
  await persistDraft();
  lock(false);
  const first = Object.keys(conflicts).map((id) => byId.get(id)).find(Boolean);
  showSubmitProblems([t("resolve_conflicts")].concat(Object.keys(conflicts).map((id) => {
    const fs = byId.get(id);
    return fs ? {fs, text: id} : id;
  })));
  if (first) showStep(stepOf(first), false);
  renderStatus();
  return "done";
}
