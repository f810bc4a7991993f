/* How the submit shows on the form: read-only while a submit is queued (its body is fixed)
 * and for good once submitted, and the problems listed above the submit button. */
import {fieldsets, form, naBox, numberInput, submitButton} from "./page.js";
import {state} from "./state.js";
import {showStep, stepOf} from "./steps.js";

export function lock(forGood, queued) {
  state.locked = forGood || !!queued;
  const locked = state.locked;
  for (const node of form.querySelectorAll("input, textarea, select, button")) {
    if (node.closest("nav.steps") || node.closest(".step-buttons") || node.closest(".conflict")) continue;
    node.disabled = locked;
  }
  if (!locked) disableNumbersMarkedNa();
  for (const pad of Object.values(state.pads)) pad.disabled = locked;
  form.classList.toggle("locked", locked);
}

/** A number answered "not applicable" cannot be typed into. */
export function disableNumbersMarkedNa() {
  for (const fs of fieldsets) {
    const na = naBox(fs);
    const input = numberInput(fs);
    if (na && input && na.checked) input.disabled = true;
  }
}

function submitProblemsNode() {
  let node = form.querySelector("ul.submit-problems");
  if (!node && submitButton) {
    node = document.createElement("ul");
    node.className = "submit-problems problems error";
    node.setAttribute("role", "alert");
    submitButton.insertAdjacentElement("beforebegin", node);
  }
  return node;
}

export function clearSubmitProblems() {
  const node = form.querySelector("ul.submit-problems");
  if (node) node.remove();
}

/** Each problem is a text, or {fs, text}: a link to the item (or field) it is about. */
export function showSubmitProblems(problems) {
  const node = submitProblemsNode();
  if (!node) return;
  node.textContent = "";
  for (const problem of problems.slice(0, 50)) {
    const li = document.createElement("li");
    const text = typeof problem === "string" ? problem : problem.text;
    const target = typeof problem === "string" ? null : problem.fs;
    if (target && stepOf(target) >= 0) {
      const link = document.createElement("a");
      link.href = "#" + (target.id || "");
      link.textContent = text;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        showStep(stepOf(target), false);
        target.scrollIntoView({block: "center"});
      });
      li.appendChild(link);
    } else {
      li.textContent = text;
    }
    node.appendChild(li);
  }
}
