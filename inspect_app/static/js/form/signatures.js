/* The two signature pads (signature-pad.js, a classic script loaded before the modules): their
 * strokes are kept in the draft so a reload does not lose them; Clear empties one. */
import {form} from "./page.js";
import {persistDraft, state} from "./state.js";

/** signature-pad.js is normally included before the modules; load it when it was not. */
export function loadSignaturePad() {
  if (window.SignaturePad) return Promise.resolve();
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = new URL("../signature-pad.js", import.meta.url).href;
    script.onload = resolve;
    script.onerror = resolve;
    document.head.appendChild(script);
  });
}

export function setupSignatures() {
  if (!window.SignaturePad) return;
  const draft = state.draft;
  const pads = state.pads;
  for (const canvas of form.querySelectorAll("canvas[data-signature]")) {
    const role = canvas.dataset.signature;
    pads[role] = new window.SignaturePad(canvas, {onChange(strokes) {
      draft.signatures = draft.signatures || {};
      draft.signatures[role] = strokes;
      persistDraft();
    }});
    if (draft.signatures && draft.signatures[role]) pads[role].setStrokes(draft.signatures[role]);
  }
  for (const clear of form.querySelectorAll("button[data-clear]")) {
    clear.type = "button";
    clear.addEventListener("click", () => { const pad = pads[clear.dataset.clear]; if (pad && !state.locked) pad.clear(); });
  }
}

/** Both signatures as PNG data URLs (empty when not signed). */
export function signatureImages() {
  const images = {};
  for (const [role, pad] of Object.entries(state.pads)) images[role] = pad.toDataURL();
  return images;
}

export function unsigned() {
  const pads = Object.values(state.pads);
  return pads.length > 0 && pads.some((p) => p.isEmpty());
}
