/* What the tablet knows of the server, shown on a cached copy of the page. draft.evidence:
 * item id → [{id, src, del, stage}], the photos the server holds as this tablet last knew them (from
 * every page the server renders, then each upload and removal of this tablet); draft.score:
 * the live score the server last gave (a page or a save). A page the service worker served
 * from its cache (data-offline-copy="1") may be older than both: it is brought up to date
 * from them, so an offline reload shows the photos uploaded before it and the submit check
 * counts them as the server does. */
import {evidenceToShow} from "./merge.js";
import {cssEscape, fieldsets, offlineCopy} from "./page.js";
import {addStoredThumb} from "./photos.js";
import {state} from "./state.js";
import {renderedScore, showScore} from "./steps.js";

function renderedEvidence() {
  const out = {};
  for (const fs of fieldsets) {
    const rows = Array.from(fs.querySelectorAll("ul.photos li[data-evidence-id]")).map((li) => {
      const img = li.querySelector("img");
      return {id: li.dataset.evidenceId, src: img ? img.getAttribute("src") : "", del: li.dataset.deleteUrl || "",
              stage: li.dataset.stage || ""};
    });
    if (rows.length) out[fs.dataset.itemId] = rows;
  }
  return out;
}

export function mergeKnown() {
  const draft = state.draft;
  if (!offlineCopy || !draft.evidence) {
    draft.evidence = renderedEvidence();        // the server's page: its photos and score are current
    draft.score = renderedScore();
    return;
  }
  for (const fs of fieldsets) {
    const shown = Array.from(fs.querySelectorAll("ul.photos li[data-evidence-id]"));
    const {remove, add} = evidenceToShow(draft.evidence[fs.dataset.itemId], shown.map((li) => li.dataset.evidenceId));
    for (const li of shown) if (remove.includes(li.dataset.evidenceId)) li.remove();   // removed since the copy was made
    for (const row of add) {
      if (!fs.querySelector(`ul.photos li[data-evidence-id="${cssEscape(String(row.id))}"]`)) addStoredThumb(fs, row);
    }
  }
  if (draft.score) showScore(draft.score);
}
