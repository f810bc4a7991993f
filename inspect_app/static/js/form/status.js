/* The sync status line under the form (#sync-status): saved, pending, offline, conflict,
 * signed out, submitted (docs/offline.md, "What the inspector sees"). */
import {URLS, statusNode} from "./page.js";
import {session} from "./network.js";
import {state} from "./state.js";
import {serial} from "./store.js";
import {t} from "./texts.js";

export function renderStatus() {
  if (!statusNode) return;
  const draft = state.draft;
  const pendingCount = state.pendingCount;
  let text;
  let status;
  const conflicts = Object.values(draft ? draft.items : {}).filter((it) => it.conflict).length;
  if (draft && draft.submitted) {
    statusNode.textContent = t("submitted") + " ";
    const url = draft.recordUrl || URLS.record;
    if (url) {
      const link = document.createElement("a");
      link.href = url;
      link.textContent = t("view_record");
      statusNode.appendChild(link);
    }
    statusNode.dataset.state = "submitted";
    return;
  }
  const submitWaiting = draft && draft.submitQueued;
  if (session.signedOut && pendingCount) { text = t("signed_out", {n: pendingCount}); status = "error"; }
  else if (!navigator.onLine && submitWaiting) { text = t("submit_queued"); status = "offline"; }
  else if (!navigator.onLine && pendingCount) { text = t("offline_waiting", {n: pendingCount}); status = "offline"; }
  else if (!navigator.onLine) { text = t("offline_saved"); status = "offline"; }
  else if (state.lastError && pendingCount) { text = t("retrying", {n: pendingCount}); status = "pending"; }
  else if (pendingCount && submitWaiting) { text = t("submitting"); status = "pending"; }
  // also: given, not yet in the outbox
  else if (pendingCount || state.timers.size || state.queuing) { text = t("saving"); status = "pending"; }
  else if (conflicts) { text = t("conflicts", {n: conflicts}); status = "conflict"; }
  else { text = t("saved"); status = "saved"; }
  statusNode.textContent = text;
  statusNode.dataset.state = status;
}

/** The outbox's entries (and their count, for the status line). */
export async function countPending() {
  const entries = await serial(() => state.store.list());
  state.pendingCount = entries.length;
  return entries;
}
