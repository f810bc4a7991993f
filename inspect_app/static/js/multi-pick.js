/* The multi-pick widget (templates/_pick.html): a checkbox list that works without script.
 * With script: a search box filters long lists, the legend counts what is chosen, "select
 * all shown" / "clear" buttons, and the leader radio follows the ticks (choosing a leader
 * ticks them; unticking the leader clears it; the first ticked leads when none is chosen). */
(function () {
  "use strict";

  function setUp(box) {
    const items = Array.from(box.querySelectorAll("[data-pick-item]"));
    const boxes = () => items.map((li) => li.querySelector('input[type="checkbox"]'));
    const count = box.querySelector("[data-pick-count]");
    const tools = box.querySelector("[data-pick-tools]");
    const filter = box.querySelector("[data-pick-filter]");

    function leaderOf(li) { return li.querySelector('input[type="radio"]'); }

    function refresh() {
      const chosen = boxes().filter((b) => b.checked).length;
      if (count) count.textContent = chosen ? (box.dataset.labelCount || "{n}").replace("{n}", chosen) : "";
      items.forEach((li) => {
        const radio = leaderOf(li);
        const tick = li.querySelector('input[type="checkbox"]');
        li.classList.toggle("chosen", tick.checked);
        if (!radio) return;
        radio.disabled = !tick.checked;
        if (!tick.checked && radio.checked) radio.checked = false;
      });
      const radios = items.map(leaderOf).filter(Boolean);
      if (radios.length && !radios.some((r) => r.checked)) {
        const first = radios.find((r) => !r.disabled);
        if (first) first.checked = true;
      }
    }

    items.forEach((li) => {
      li.querySelector('input[type="checkbox"]').addEventListener("change", refresh);
      const radio = leaderOf(li);
      if (radio) radio.addEventListener("change", refresh);
    });

    if (tools && box.hasAttribute("data-pick-search")) {
      tools.hidden = false;
      const all = document.createElement("button");
      all.type = "button";
      all.textContent = box.dataset.labelAll || "All";
      const none = document.createElement("button");
      none.type = "button";
      none.textContent = box.dataset.labelNone || "None";
      tools.append(all, none);
      const shown = () => items.filter((li) => !li.hidden);
      all.addEventListener("click", () => {
        shown().forEach((li) => { li.querySelector('input[type="checkbox"]').checked = true; });
        refresh();
      });
      none.addEventListener("click", () => {
        shown().forEach((li) => { li.querySelector('input[type="checkbox"]').checked = false; });
        refresh();
      });
      filter.addEventListener("input", () => {
        const wanted = filter.value.trim().toLowerCase();
        items.forEach((li) => {
          li.hidden = Boolean(wanted) && !(li.dataset.text || "").toLowerCase().includes(wanted);
        });
      });
      filter.addEventListener("keydown", (event) => {
        if (event.key === "Enter") event.preventDefault();     // searching never submits the form
      });
    }
    refresh();
  }

  document.querySelectorAll("[data-pick]").forEach(setUp);
})();
