/* Photos: shrunk on the tablet, shown at once from the local copy, queued like answers (the
 * JPEG bytes kept in IndexedDB) with a client id that makes a re-sent upload count once;
 * a stored photo can be removed while online. */
import {transient} from "./backoff.js";
import {ensureStarted} from "./begin.js";
import {uuid} from "./ids.js";
import {forgetEvidence, knowEvidence} from "./merge.js";
import {post, problemsOf} from "./network.js";
import {INSPECTION, URLS, button, byId, cssEscape, form, itemStatus} from "./page.js";
import {cacheUrls} from "./service-worker.js";
import {readBuffer, shrink} from "./shrink.js";
import {draftCopy, persistDraft, state} from "./state.js";
import {renderStatus} from "./status.js";
import {serial} from "./store.js";
import {done, pump} from "./sync.js";
import {t} from "./texts.js";

const PHOTO_TIMEOUT_MS = 120000;

function photoList(fs) {
  let list = fs.querySelector("ul.photos");
  if (!list) {
    list = document.createElement("ul");
    list.className = "photos";
    fs.appendChild(list);
  }
  return list;
}

/** A photo waiting to be sent, shown from ``src`` (a blob: URL of the local copy). */
export function addThumb(fs, src, clientId, stage) {
  const li = document.createElement("li");
  li.className = "pending";
  li.dataset.clientId = clientId;
  if (stage) li.dataset.stage = stage;
  const img = document.createElement("img");
  img.alt = t("photo_waiting");
  img.src = src;
  li.appendChild(img);
  photoList(fs).appendChild(li);
  return li;
}

/** A photo the server holds ({id, src, del}), before the waiting ones. */
export function addStoredThumb(fs, row) {
  const li = document.createElement("li");
  li.dataset.evidenceId = String(row.id);
  if (row.del) li.dataset.deleteUrl = row.del;
  if (row.stage) li.dataset.stage = row.stage;
  const img = document.createElement("img");
  img.alt = t("photo_of", {item: fs.dataset.itemId});
  img.src = row.src;
  li.appendChild(img);
  const list = photoList(fs);
  list.insertBefore(li, list.querySelector("li[data-client-id]"));
  return li;
}

/** A "remove" button on each stored photo (before submit; online only, not queued). */
export function addDeleteButton(li) {
  if (li.querySelector("button.photo-delete") || !li.dataset.evidenceId || form.dataset.status === "submitted") return;
  const remove = button(t("remove_photo"), "photo-delete", async () => {
    if (state.locked || !li.dataset.evidenceId) return;
    if (!window.confirm(t("remove_photo_confirm"))) return;
    const url = li.dataset.deleteUrl || `${URLS.evidence}/${li.dataset.evidenceId}/delete`;
    remove.disabled = true;
    const result = navigator.onLine ? await post(url, {}, true) : {network: true};
    const fs = li.closest("fieldset.item");
    if (result.status === 200 || result.status === 204 || result.status === 302 || result.status === 404) {
      forgetEvidence(state.draft.evidence, li.dataset.evidenceId);
      li.remove();
      persistDraft();
      return;
    }
    remove.disabled = false;
    if (fs) itemStatus(fs, result.network ? t("remove_photo_offline") : t("item_error", {message: problemsOf(result.data || {}).join("; ") || result.status}), "error");
  });
  remove.setAttribute("aria-label", t("remove_photo"));
  li.appendChild(remove);
}

/** The photos chosen in a file input, each shrunk and queued. */
export async function addPhotos(input) {
  const fs = input.closest("fieldset.item");
  if (!fs || state.locked) return;
  const files = Array.from(input.files || []);
  input.value = "";
  for (const file of files) {
    state.queuing += 1;
    renderStatus();
    try {
      await queuePhoto(fs, file, input.dataset.stage || "");
    } finally {
      state.queuing -= 1;
    }
    renderStatus();
    pump();
  }
}

/** ``stage``: "" (the state found) or "after" (taken after an on-the-spot rectification). */
async function queuePhoto(fs, file, stage) {
  const clientId = uuid();
  const blob = await shrink(file);
  const data = await readBuffer(blob);
  addThumb(fs, URL.createObjectURL(blob), clientId, stage);
  itemStatus(fs, t("photo_waiting"), "pending");
  await serial(async () => {
    await ensureStarted();
    await state.store.putDraft(draftCopy());
    await state.store.add({kind: "photo", inspection: INSPECTION, item: fs.dataset.itemId, clientId, stage,
                           type: blob.type || "image/jpeg", name: (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", data});
  });
  state.pendingCount += 1;
}

export async function sendPhoto(entry) {
  const li = form.querySelector(`li[data-client-id="${cssEscape(entry.clientId)}"]`);
  const result = await post(URLS.evidence, () => {
    const data = new FormData();
    data.append("item_id", entry.item);
    data.append("client_id", entry.clientId);
    if (entry.stage) data.append("stage", entry.stage);
    data.append("file", new Blob([entry.data], {type: entry.type || "image/jpeg"}), entry.name || "photo.jpg");
    return data;
  }, false, PHOTO_TIMEOUT_MS);
  const again = transient(result);
  if (again) return again;
  await done(entry);
  if (result.status === 200 || result.status === 201) {
    if (li) {
      li.dataset.evidenceId = String(result.data.id);
      li.classList.remove("pending");
      const img = li.querySelector("img");
      if (img && result.data.thumbnail_url) {
        const old = img.src;
        img.src = result.data.thumbnail_url;
        if (old.startsWith("blob:")) URL.revokeObjectURL(old);
      }
      cacheUrls([result.data.thumbnail_url]);
      if (!state.locked) addDeleteButton(li);
    }
    state.draft.evidence = knowEvidence(state.draft.evidence, entry.item, {
      id: result.data.id, src: result.data.thumbnail_url, del: `${URLS.evidence}/${result.data.id}/delete`,
      stage: entry.stage || ""});
    await persistDraft();
    const fs = byId.get(entry.item);
    if (fs) itemStatus(fs, t("item_saved"), "saved");
    return "done";
  }
  if (li) li.remove();
  const fs = byId.get(entry.item);
  if (fs) itemStatus(fs, t("photo_failed", {message: problemsOf(result.data).join("; ") || result.status}), "error");
  return "done";
}
