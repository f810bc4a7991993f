/* The page: the form's nodes and data-* settings, and reading and writing one item's answer
 * as the form shows it. */
import {state} from "./state.js";
import {t} from "./texts.js";

export const form = document.getElementById("inspection-form");
const data = form ? form.dataset : {};
const all = (selector) => (form ? Array.from(form.querySelectorAll(selector)) : []);

export const INSPECTION = String(data.inspectionId || "");
// Whose changes these are: the outbox sends only this user's entries (outbox.js).
export const USER = String(data.userId || "");
export const URLS = {
  start: data.startUrl,
  save: data.saveUrl,
  submit: data.submitUrl,
  evidence: data.evidenceUrl,
  csrf: data.csrfUrl,
  record: data.recordUrl,
  sw: data.swUrl,
};
// Served by the service worker from its cache (it marks the copy): possibly older than the tablet.
export const offlineCopy = data.offlineCopy === "1";

export const fieldsets = all("fieldset.item[data-item-id]");
export const byId = new Map(fieldsets.map((fs) => [fs.dataset.itemId, fs]));
export const steps = all("section.step");
export const navLinks = all("nav.steps a[data-step]");
export const statusNode = document.getElementById("sync-status");
export const submitButton = document.getElementById("submit-inspection");
export const scoreNode = form ? form.querySelector("[data-score]") : null;

export function cssEscape(text) { return window.CSS && CSS.escape ? CSS.escape(text) : String(text).replace(/["\\]/g, "\\$&"); }
export function itemType(fs) { return fs.dataset.type || "check"; }
export function numberInput(fs) { return fs.querySelector(`input[type=number][name="answer-${cssEscape(fs.dataset.itemId)}"]`); }
export function naBox(fs) { return fs.querySelector(`input[type=checkbox][name="na-${cssEscape(fs.dataset.itemId)}"]`); }
export function remarkBox(fs) { return fs.querySelector(`textarea[name="remark-${cssEscape(fs.dataset.itemId)}"]`); }
export function representativeInput() { return form.querySelector('input[name="representative_name"]'); }

/** The item's facts for the submit rules (rules.js): type, evidence, pass_min and bounds. */
export function itemFacts(fs) {
  const input = numberInput(fs);
  const bounds = input ? input.dataset : {};
  return {type: itemType(fs), evidence: fs.dataset.evidence || "none",
          passMin: bounds.passMin, min: bounds.min, max: bounds.max};
}

/** The answer shown in the form: {value: "pass"|"fail"|"na"|"<decimal>"|null, remark}. */
export function readItem(fs) {
  let value = null;
  if (itemType(fs) === "check") {
    const checked = fs.querySelector('input[type=radio][name^="answer-"]:checked');
    value = checked ? checked.value : null;
  } else {
    const na = naBox(fs);
    const input = numberInput(fs);
    if (na && na.checked) value = "na";
    else if (input && input.value.trim() !== "") value = input.value.trim();
  }
  const remark = remarkBox(fs);
  return {value, remark: remark ? remark.value : ""};
}

export function writeItem(fs, value, remark) {
  if (itemType(fs) === "check") {
    for (const radio of fs.querySelectorAll('input[type=radio][name^="answer-"]')) radio.checked = radio.value === value;
  } else {
    const na = naBox(fs);
    const input = numberInput(fs);
    if (na) na.checked = value === "na";
    if (input) {
      input.value = value != null && value !== "na" ? value : "";
      input.disabled = value === "na" || state.locked;
    }
  }
  const box = remarkBox(fs);
  if (box && remark != null) box.value = remark;
}

const VALUE_TEXTS = {pass: () => t("value_pass"), fail: () => t("value_fail"), na: () => t("value_na")};

/** How an answer reads: the label of its choice, else its name, else the number. */
export function valueLabel(fs, value) {
  if (value == null || value === "") return t("no_answer");
  const radio = fs.querySelector(`input[type=radio][value="${cssEscape(value)}"]`);
  const label = radio && radio.closest("label");
  if (label && label.textContent.trim()) return label.textContent.trim();
  if (Object.prototype.hasOwnProperty.call(VALUE_TEXTS, value)) return VALUE_TEXTS[value]();
  return value;
}

/** The item's own status line (waiting, saved, not saved: why). */
export function itemStatus(fs, text, status) {
  let node = fs.querySelector(".item-status");
  if (!node) {
    node = document.createElement("p");
    node.className = "item-status";
    node.setAttribute("aria-live", "polite");
    fs.appendChild(node);
  }
  node.textContent = text || "";
  if (status) node.dataset.state = status; else delete node.dataset.state;
}

export function button(text, className, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = className;
  node.textContent = text;
  node.addEventListener("click", onClick);
  return node;
}
