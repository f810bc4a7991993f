/* On-the-spot rectification (当场整改) on the tablet: a failed minor item the inspector put right
 * during the visit is marked, with a short note and at least one photo taken after the fix (its
 * file input carries data-stage="after"). The mark and the note live in the tablet's draft
 * (draft.onSpot: item id → {marked, note}), so a reload keeps them; the submit sends them as
 * ``on_spot`` (rules.js onSpotMarks) and the server creates the finding closed. The page shows
 * the box only on items that may be rectified on the spot (minor, not veto). */
import {fieldsets, form} from "./page.js";
import {persistDraft, state} from "./state.js";

function parts(fs) {
  const box = fs.querySelector("[data-on-spot]");
  if (!box) return null;
  return {box, mark: box.querySelector("input[data-on-spot-mark]"), note: box.querySelector("textarea[data-on-spot-note]"),
          details: box.querySelector("[data-on-spot-details]")};
}

/** The item's mark as the form shows it: {marked, note, after} (null when the item has no box). */
export function readOnSpot(fs) {
  const p = parts(fs);
  if (!p || !p.mark) return null;
  return {marked: p.mark.checked, note: p.note ? p.note.value : "",
          after: fs.querySelectorAll('ul.photos li[data-stage="after"]').length};
}

/** [[item id, {marked, note}], …] of every item with a box, for the submit body. */
export function onSpotEntries() {
  return fieldsets.map((fs) => [fs.dataset.itemId, readOnSpot(fs)]).filter(([, mark]) => mark);
}

function show(p) {
  if (p.details) p.details.hidden = !p.mark.checked;
}

/** Restore the marks and notes from the draft (the draft wins over an empty page). */
export function setupOnSpot() {
  const draft = state.draft;
  draft.onSpot = draft.onSpot || {};
  for (const fs of fieldsets) {
    const p = parts(fs);
    if (!p || !p.mark) continue;
    const kept = draft.onSpot[fs.dataset.itemId];
    if (kept && form.dataset.status !== "submitted") {
      p.mark.checked = !!kept.marked;
      if (p.note && !p.note.value) p.note.value = kept.note || "";
    }
    show(p);
  }
}

/** A change in an on-the-spot box (the mark or the note): kept in the draft. True when the
 *  event was the box's (the answer itself is not touched). */
export function onSpotChanged(target) {
  if (!target || target.type === "file" || !target.closest("[data-on-spot]")) return false;
  const fs = target.closest("fieldset.item[data-item-id]");
  const p = fs && parts(fs);
  if (!p || !p.mark || state.locked) return true;
  state.draft.onSpot = state.draft.onSpot || {};
  state.draft.onSpot[fs.dataset.itemId] = {marked: p.mark.checked, note: p.note ? p.note.value : ""};
  show(p);
  persistDraft();
  return true;
}
