/* The part's start: the submission id is minted once, with the first change, and a start
 * entry is queued before that change; the start is sent first (docs/offline.md). */
import {transient} from "./backoff.js";
import {uuid} from "./ids.js";
import {post} from "./network.js";
import {hasStart} from "./outbox.js";
import {INSPECTION, URLS, form} from "./page.js";
import {persistDraft, state} from "./state.js";
import {done} from "./sync.js";

/** The tablet takes this submission id (its own, or the server's when another device started first). */
export function adoptSubmissionId(id) {
  state.draft.submissionId = id;
  form.dataset.submissionId = id;
}

/** Runs inside serial(): mints the submission id once and queues the start before the change. */
export async function ensureStarted() {
  const draft = state.draft;
  if (draft.started && draft.submissionId) return;
  if (!draft.submissionId) adoptSubmissionId(uuid());
  const entries = await state.store.list();
  if (!hasStart(entries)) {
    await state.store.add({kind: "start", inspection: INSPECTION, submissionId: draft.submissionId});
  }
}

export async function sendStart(entry) {
  const result = await post(URLS.start, {submission_id: entry.submissionId}, true);
  const again = transient(result);
  if (again) return again;
  if (result.status === 200 || result.status === 409) {
    const stored = result.data.submission_id || (result.data.current && result.data.current.submission_id);
    if (stored) adoptSubmissionId(stored);
    state.draft.started = true;
    form.dataset.status = result.data.status || form.dataset.status || "draft";
    await persistDraft();
  }
  await done(entry);
  return "done";
}

/** "Start the inspection first" (a save answered 409 without an answer): the start was refused
 *  or lost; start again. True when the part is started (the save may be sent again). */
export async function startAgain() {
  const draft = state.draft;
  const started = await post(URLS.start, {submission_id: draft.submissionId}, true);
  const adopted = started.status === 409 && started.data.submission_id;
  if (adopted) adoptSubmissionId(started.data.submission_id);
  if (adopted || (started.status === 200 && (started.data.status || "draft") === "draft")) {
    draft.started = true;
    return true;
  }
  return false;
}
