/* One section (step) on screen at a time, Previous/Next, the progress badges and the live
 * score. */
import {form, fieldsets, navLinks, readItem, scoreNode, steps, button} from "./page.js";
import {answeredCount} from "./rules.js";
import {state} from "./state.js";
import {t} from "./texts.js";

let currentStep = 0;

export function showStep(index, focus) {
  if (!steps.length) return;
  currentStep = Math.max(0, Math.min(index, steps.length - 1));
  steps.forEach((section, i) => { section.hidden = i !== currentStep; });
  const key = steps[currentStep].dataset.step;
  for (const link of navLinks) {
    if (link.dataset.step === key) link.setAttribute("aria-current", "step");
    else link.removeAttribute("aria-current");
  }
  if (history.replaceState) history.replaceState(null, "", "#" + steps[currentStep].id);
  for (const pad of Object.values(state.pads)) pad.resize();
  if (focus !== false) {
    const heading = steps[currentStep].querySelector("h2, h3, legend");
    if (form.scrollIntoView) form.scrollIntoView({block: "start"});
    if (heading && heading.focus) { heading.setAttribute("tabindex", "-1"); heading.focus({preventScroll: true}); }
  }
}

/** The index of the step holding ``node`` (-1 when none). */
export function stepOf(node) {
  const section = node.closest("section.step");
  return steps.indexOf(section);
}

/** The step the address names (#section-…), else the first. */
export function showFirstStep() {
  const hashIndex = steps.findIndex((s) => "#" + s.id === location.hash);
  showStep(hashIndex >= 0 ? hashIndex : 0, false);
}

export function addStepButtons() {
  steps.forEach((section, i) => {
    if (section.querySelector(".step-buttons")) return;
    const bar = document.createElement("div");
    bar.className = "step-buttons";
    if (i > 0) bar.appendChild(button(t("previous"), "step-prev", () => showStep(i - 1)));
    if (i < steps.length - 1) bar.appendChild(button(t("next"), "step-next primary", () => showStep(i + 1)));
    section.appendChild(bar);
  });
  for (const link of navLinks) {
    link.addEventListener("click", (event) => {
      const index = steps.findIndex((s) => s.dataset.step === link.dataset.step);
      if (index < 0) return;
      event.preventDefault();
      showStep(index);
    });
  }
}

/** The answered counts, per section and in all, from the answers the form shows: those the
 *  server holds as this tablet last knew them and those waiting in the outbox. */
export function updateProgress() {
  let answered = 0;
  for (const section of steps) {
    const items = Array.from(section.querySelectorAll("fieldset.item[data-item-id]"));
    if (!items.length) continue;
    const done = answeredCount(items.map((fs) => readItem(fs).value));
    answered += done;
    const link = navLinks.find((a) => a.dataset.step === section.dataset.step);
    const badge = link && link.querySelector(".progress");
    if (badge) badge.textContent = `${done}/${items.length}`;
    if (link) link.classList.toggle("complete", done === items.length);
  }
  const node = form.querySelector('[data-progress="total"]');
  if (node) node.textContent = `${answered}/${fieldsets.length}`;
}

/** Show a score the server gave (a save's, the submit's result, or the one last known). */
export function showScore(score) {
  if (!scoreNode || !score || typeof score !== "object") return;
  const fields = scoreNode.querySelectorAll("[data-score-field]");
  if (fields.length) {
    for (const node of fields) {
      const value = score[node.dataset.scoreField];
      if (value == null) continue;
      node.textContent = Array.isArray(value) ? String(value.length) : String(value);
    }
  } else {
    scoreNode.dataset.total = score.total != null ? score.total : "";
  }
  scoreNode.dataset.updated = "1";
}

/** The score the page shows (kept so a cached copy can show the last one). */
export function renderedScore() {
  const score = {};
  for (const node of form.querySelectorAll("[data-score-field]")) score[node.dataset.scoreField] = node.textContent.trim();
  return score;
}
