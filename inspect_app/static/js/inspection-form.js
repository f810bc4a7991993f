/* The inspection form on a tablet: steps, answer-by-answer saving, an IndexedDB outbox,
 * photos, signatures and an idempotent submit. Plain ES2020, no build step, no libraries.
 *
 * Progressive enhancement of the server-rendered form (docs: INSPECTIONS-API contract and
 * docs/offline.md). Every change the inspector makes goes into one ordered outbox, kept in
 * IndexedDB (iPad Safari has no Background Sync), and the outbox is sent in order whenever
 * the tablet is online: at once, on `online`, on page load and on a back-off timer after a
 * network error. Before replaying, the CSRF token is refreshed (tokens expire).
 *
 * Outbox entries (one store, ordered by an auto-increment key):
 *   {kind: "start",  inspection, submissionId}
 *   {kind: "save",   inspection, item, value, remark}      version is read when sent
 *   {kind: "photo",  inspection, item, clientId, type, name, data: ArrayBuffer}
 *   {kind: "submit", inspection, body}                        the body is built once
 */
(function () {
  "use strict";

  const form = document.getElementById("inspection-form");
  if (!form || !window.fetch || !window.Promise) return;

  const INSPECTION = String(form.dataset.inspectionId || "");
  // Whose changes these are: a tablet passed to a colleague never sends one person's queued
  // answers under another's session (they wait until their author opens the form again).
  const USER = String(form.dataset.userId || "");
  const mine = (entry) => !entry.user || entry.user === USER;
  const URLS = {
    start: form.dataset.startUrl,
    save: form.dataset.saveUrl,
    submit: form.dataset.submitUrl,
    evidence: form.dataset.evidenceUrl,
    csrf: form.dataset.csrfUrl,
    record: form.dataset.recordUrl,
    sw: form.dataset.swUrl,
  };
  const DEBOUNCE_MS = 600;
  const REQUEST_TIMEOUT_MS = 30000;
  const PHOTO_TIMEOUT_MS = 120000;
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 30000;
  const PHOTO_MAX_PX = 2048;

  // ---------------------------------------------------------------- messages
  const DEFAULT_MESSAGES = {
    saved: "All answers saved",
    saving: "Saving…",
    waiting: "Waiting to be sent",
    offline_waiting: "Offline: {n} changes kept on this tablet, sent when back online",
    offline_saved: "Offline: new answers are kept on this tablet",
    retrying: "No connection: {n} changes waiting, trying again",
    signed_out: "Signed out: sign in again (in another tab) to send {n} waiting changes",
    conflicts: "{n} answers were changed by someone else: choose which to keep",
    submit_queued: "Submission kept on this tablet; it is sent when back online",
    submitting: "Sending the submission…",
    submitted: "Submitted",
    view_record: "View the record",
    item_saved: "Saved",
    item_error: "Not saved: {message}",
    conflict: "Someone else answered: {value}{remark}. Which answer is right?",
    keep_mine: "Keep mine",
    take_theirs: "Use theirs",
    photo_waiting: "Photo waiting to be sent",
    photo_failed: "Photo refused: {message}",
    not_answered: "{item}: not answered",
    photo_required: "{item}: a photo is required",
    signature_required: "Both signatures are required",
    representative_required: "The representative's name is required",
    resolve_conflicts: "Resolve the answers changed by someone else first",
    submit_refused: "The submission was refused:",
    previous: "Previous",
    next: "Next",
    value_pass: "pass",
    value_fail: "fail",
    value_na: "not applicable",
    remark: " (remark: {remark})",
    no_answer: "no answer",
    remove_photo: "Remove",
    remove_photo_confirm: "Remove this photo?",
    remove_photo_offline: "Photos can be removed only when online",
    below_zero: "{item}: cannot be below zero",
    photo_of: "Photo of {item}",
  };
  const MESSAGES = Object.assign({}, DEFAULT_MESSAGES, readJSON("form-messages"));

  function readJSON(id) {
    const node = document.getElementById(id);
    if (!node) return {};
    try { return JSON.parse(node.textContent) || {}; } catch (err) { return {}; }
  }

  function t(key, params) {
    const text = MESSAGES[key] != null ? String(MESSAGES[key]) : key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (params && params[name] != null ? String(params[name]) : m));
  }

  // ---------------------------------------------------------------- ids
  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // Older Safari (before 15.4) and non-secure contexts: RFC 4122 version 4 by hand.
    const bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // ---------------------------------------------------------------- storage
  /* IndexedDB "careinspect-tablet": store "outbox" (auto-increment seq, index by inspection)
   * and store "drafts" (one record per inspection). Falls back to memory when IndexedDB is
   * unavailable (the page still works online; nothing survives a reload then). */
  function openStore() {
    const memory = {outbox: new Map(), drafts: new Map(), seq: 0};
    const memoryStore = {
      persistent: false,
      list: async () => [...memory.outbox.values()].filter((e) => e.inspection === INSPECTION && mine(e))
        .sort((a, b) => a.seq - b.seq),
      add: async (entry) => {
        entry.user = USER; entry.seq = ++memory.seq; memory.outbox.set(entry.seq, entry); return entry.seq;
      },
      put: async (entry) => { memory.outbox.set(entry.seq, entry); },
      remove: async (seq) => { memory.outbox.delete(seq); },
      getDraft: async () => memory.drafts.get(INSPECTION) || null,
      putDraft: async (draft) => { memory.drafts.set(INSPECTION, draft); },
    };
    if (!window.indexedDB) return Promise.resolve(memoryStore);

    const opened = new Promise((resolve, reject) => {
      let request;
      try { request = indexedDB.open("careinspect-tablet", 1); } catch (err) { reject(err); return; }
      request.onupgradeneeded = () => {
        const db = request.result;
        const outbox = db.createObjectStore("outbox", {keyPath: "seq", autoIncrement: true});
        outbox.createIndex("inspection", "inspection");
        db.createObjectStore("drafts", {keyPath: "inspection"});
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("IndexedDB blocked"));
    });

    function run(name, mode, fn) {
      return opened.then((db) => new Promise((resolve, reject) => {
        const tx = db.transaction(name, mode);
        const request = fn(tx.objectStore(name));
        tx.oncomplete = () => resolve(request ? request.result : undefined);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
      }));
    }

    const idbStore = {
      persistent: true,
      list: () => run("outbox", "readonly", (s) => s.index("inspection").getAll(INSPECTION))
        .then((rows) => rows.filter(mine).sort((a, b) => a.seq - b.seq)),
      add: (entry) => {
        entry.user = USER;
        return run("outbox", "readwrite", (s) => s.add(entry)).then((seq) => { entry.seq = seq; return seq; });
      },
      put: (entry) => run("outbox", "readwrite", (s) => s.put(entry)),
      remove: (seq) => run("outbox", "readwrite", (s) => s.delete(seq)),
      getDraft: () => run("drafts", "readonly", (s) => s.get(INSPECTION)).then((d) => d || null),
      putDraft: (draft) => run("drafts", "readwrite", (s) => s.put(draft)),
    };
    // Probe once: private browsing in old Safari opens but refuses writes.
    return idbStore.getDraft().then(() => idbStore, () => memoryStore);
  }

  /* Every read-modify-write of the outbox or the draft runs through this one queue, so the
   * pump picking the next entry and the form coalescing a save never interleave. */
  let chain = Promise.resolve();
  function serial(fn) {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  }

  // ---------------------------------------------------------------- the DOM
  const fieldsets = Array.from(form.querySelectorAll("fieldset.item[data-item-id]"));
  const byId = new Map(fieldsets.map((fs) => [fs.dataset.itemId, fs]));
  const steps = Array.from(form.querySelectorAll("section.step"));
  const navLinks = Array.from(form.querySelectorAll("nav.steps a[data-step]"));
  const statusNode = document.getElementById("sync-status");
  const submitButton = document.getElementById("submit-inspection");
  const scoreNode = form.querySelector("[data-score]");

  function itemType(fs) { return fs.dataset.type || "check"; }
  function numberInput(fs) { return fs.querySelector(`input[type=number][name="answer-${cssEscape(fs.dataset.itemId)}"]`); }
  function naBox(fs) { return fs.querySelector(`input[type=checkbox][name="na-${cssEscape(fs.dataset.itemId)}"]`); }
  function remarkBox(fs) { return fs.querySelector(`textarea[name="remark-${cssEscape(fs.dataset.itemId)}"]`); }
  function cssEscape(text) { return window.CSS && CSS.escape ? CSS.escape(text) : String(text).replace(/["\\]/g, "\\$&"); }

  /** The answer shown in the form: {value: "pass"|"fail"|"na"|"<decimal>"|null, remark}. */
  function readItem(fs) {
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

  function writeItem(fs, value, remark) {
    if (itemType(fs) === "check") {
      for (const radio of fs.querySelectorAll('input[type=radio][name^="answer-"]')) radio.checked = radio.value === value;
    } else {
      const na = naBox(fs);
      const input = numberInput(fs);
      if (na) na.checked = value === "na";
      if (input) {
        input.value = value != null && value !== "na" ? value : "";
        input.disabled = value === "na" || locked;
      }
    }
    const box = remarkBox(fs);
    if (box && remark != null) box.value = remark;
  }

  function valueLabel(fs, value) {
    if (value == null || value === "") return t("no_answer");
    const radio = fs.querySelector(`input[type=radio][value="${cssEscape(value)}"]`);
    const label = radio && radio.closest("label");
    if (label && label.textContent.trim()) return label.textContent.trim();
    if (MESSAGES["value_" + value]) return t("value_" + value);
    return value;
  }

  function itemStatus(fs, text, state) {
    let node = fs.querySelector(".item-status");
    if (!node) {
      node = document.createElement("p");
      node.className = "item-status";
      node.setAttribute("aria-live", "polite");
      fs.appendChild(node);
    }
    node.textContent = text || "";
    if (state) node.dataset.state = state; else delete node.dataset.state;
  }

  // ---------------------------------------------------------------- state
  let store = null;
  let draft = null;            // {inspection, submissionId, started, items, representativeName, signatures, submitted, recordUrl, submitQueued}
  let locked = false;          // read-only once the submit is queued or done
  let token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let tokenFresh = false;
  let signedOut = false;
  let inFlightSeq = null;
  let pumping = false;
  let pumpAgain = false;
  let retryTimer = null;
  let retryDelay = RETRY_MIN_MS;
  let lastError = false;
  let pendingCount = 0;
  const timers = new Map();   // item id → debounce timer
  let queuing = 0;            // changes being written to the outbox right now
  const pads = {};

  function itemState(id) {
    if (!draft.items[id]) draft.items[id] = {value: null, remark: "", version: 0, pending: false, conflict: null};
    return draft.items[id];
  }

  function persistDraft() {
    const copy = JSON.parse(JSON.stringify(draft));
    return serial(() => store.putDraft(copy)).catch(() => undefined);
  }

  // ---------------------------------------------------------------- steps and progress
  let currentStep = 0;

  function showStep(index, focus) {
    if (!steps.length) return;
    currentStep = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((section, i) => { section.hidden = i !== currentStep; });
    const key = steps[currentStep].dataset.step;
    for (const link of navLinks) {
      if (link.dataset.step === key) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    }
    if (history.replaceState) history.replaceState(null, "", "#" + steps[currentStep].id);
    for (const pad of Object.values(pads)) pad.resize();
    if (focus !== false) {
      const heading = steps[currentStep].querySelector("h2, h3, legend");
      if (form.scrollIntoView) form.scrollIntoView({block: "start"});
      if (heading && heading.focus) { heading.setAttribute("tabindex", "-1"); heading.focus({preventScroll: true}); }
    }
  }

  function stepOf(node) {
    const section = node.closest("section.step");
    return steps.indexOf(section);
  }

  function addStepButtons() {
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

  function button(text, className, onClick) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = className;
    node.textContent = text;
    node.addEventListener("click", onClick);
    return node;
  }

  /** The answered counts, per section and in all, from the answers the form shows: those the
   *  server holds as this tablet last knew them and those waiting in the outbox. */
  function updateProgress() {
    let answered = 0;
    for (const section of steps) {
      const items = Array.from(section.querySelectorAll("fieldset.item[data-item-id]"));
      if (!items.length) continue;
      const done = items.filter((fs) => readItem(fs).value !== null).length;
      answered += done;
      const link = navLinks.find((a) => a.dataset.step === section.dataset.step);
      const badge = link && link.querySelector(".progress");
      if (badge) badge.textContent = `${done}/${items.length}`;
      if (link) link.classList.toggle("complete", done === items.length);
    }
    const node = form.querySelector('[data-progress="total"]');
    if (node) node.textContent = `${answered}/${fieldsets.length}`;
  }

  function showScore(score) {
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

  // ---------------------------------------------------------------- sync status
  function renderStatus() {
    if (!statusNode) return;
    let text;
    let state;
    const conflicts = Object.values(draft ? draft.items : {}).filter((it) => it.conflict).length;
    if (draft && draft.submitted) {
      state = "submitted";
      statusNode.textContent = t("submitted") + " ";
      const url = draft.recordUrl || URLS.record;
      if (url) {
        const link = document.createElement("a");
        link.href = url;
        link.textContent = t("view_record");
        statusNode.appendChild(link);
      }
      statusNode.dataset.state = state;
      return;
    }
    const submitWaiting = draft && draft.submitQueued;
    if (signedOut && pendingCount) { text = t("signed_out", {n: pendingCount}); state = "error"; }
    else if (!navigator.onLine && submitWaiting) { text = t("submit_queued"); state = "offline"; }
    else if (!navigator.onLine && pendingCount) { text = t("offline_waiting", {n: pendingCount}); state = "offline"; }
    else if (!navigator.onLine) { text = t("offline_saved"); state = "offline"; }
    else if (lastError && pendingCount) { text = t("retrying", {n: pendingCount}); state = "pending"; }
    else if (pendingCount && submitWaiting) { text = t("submitting"); state = "pending"; }
    else if (pendingCount || timers.size || queuing) { text = t("saving"); state = "pending"; }   // also: given, not yet in the outbox
    else if (conflicts) { text = t("conflicts", {n: conflicts}); state = "conflict"; }
    else { text = t("saved"); state = "saved"; }
    statusNode.textContent = text;
    statusNode.dataset.state = state;
  }

  async function countPending() {
    const entries = await serial(() => store.list());
    pendingCount = entries.length;
    return entries;
  }

  // ---------------------------------------------------------------- network
  function withTimeout(ms) {
    if (typeof AbortController !== "function") return {signal: undefined, done() {}};
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    return {signal: controller.signal, done: () => clearTimeout(timer)};
  }

  /** One request: {network: true} when the request did not get an answer (offline, cut,
   *  timed out), {auth: true} when the session is gone, else {status, data}. */
  async function request(url, options, timeoutMs) {
    const timeout = withTimeout(timeoutMs || REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(url, Object.assign({credentials: "same-origin", redirect: "manual",
                                                  cache: "no-store", signal: timeout.signal}, options));
    } catch (err) {
      return {network: true};
    } finally {
      timeout.done();
    }
    if (response.type === "opaqueredirect" || response.status === 401) return {auth: true};
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try { data = await response.json(); } catch (err) { return {network: true}; }  // body cut
    } else if (response.ok) {
      return {auth: true};   // an HTML page where JSON was expected: the log-in page
    }
    return {status: response.status, data: data || {}};
  }

  async function refreshToken() {
    if (!URLS.csrf) return true;
    const result = await request(URLS.csrf, {method: "GET", headers: {Accept: "application/json"}});
    if (result.network) return false;
    if (result.auth || result.status !== 200 || !result.data.csrf_token) { signedOut = !!result.auth || signedOut; return false; }
    token = result.data.csrf_token;
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) meta.content = token;
    tokenFresh = true;
    signedOut = false;
    return true;
  }

  /** POST with the CSRF token; a 400 (expired token) is retried once with a fresh token. */
  async function post(url, body, json, timeoutMs) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers = {"X-CSRFToken": token, Accept: "application/json"};
      if (json) headers["Content-Type"] = "application/json";
      const result = await request(url, {method: "POST", headers, body: json ? JSON.stringify(body) : body()}, timeoutMs);
      if (result.status === 400 && attempt === 0) {
        if (!(await refreshToken())) return {network: true};
        continue;
      }
      return result;
    }
    return {network: true};
  }

  function problemsOf(data) {
    const problems = Array.isArray(data.problems) ? data.problems.map(String) : [];
    if (!problems.length && data.error) problems.push(String(data.error));
    return problems;
  }

  // ---------------------------------------------------------------- the outbox pump
  function schedule(delay) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => { retryTimer = null; pump(); }, delay);
  }

  async function pump() {
    if (!store || !draft) return;
    if (pumping) { pumpAgain = true; return; }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        for (;;) {
          const entry = await serial(async () => {
            const entries = await store.list();
            pendingCount = entries.length;
            inFlightSeq = entries.length ? entries[0].seq : null;
            return entries[0] || null;
          });
          renderStatus();
          if (!entry) { lastError = false; break; }
          if (!navigator.onLine) break;
          if (!tokenFresh && !(await refreshToken())) {
            lastError = true;
            if (!signedOut) schedule(retryDelay);
            retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
            break;
          }
          const outcome = await send(entry);
          inFlightSeq = null;
          if (outcome === "retry") {
            lastError = true;
            tokenFresh = false;     // the connection dropped: refresh before the next try
            schedule(retryDelay);
            retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
            break;
          }
          if (outcome === "signed-out") { signedOut = true; schedule(RETRY_MAX_MS); break; }
          lastError = false;
          retryDelay = RETRY_MIN_MS;
        }
      } while (pumpAgain && navigator.onLine);
    } finally {
      inFlightSeq = null;
      pumping = false;
      await countPending().catch(() => undefined);
      renderStatus();
    }
  }

  function done(entry) {
    return serial(() => store.remove(entry.seq));
  }

  async function send(entry) {
    if (entry.kind === "start") return sendStart(entry);
    if (entry.kind === "save") return sendSave(entry);
    if (entry.kind === "photo") return sendPhoto(entry);
    if (entry.kind === "submit") return sendSubmit(entry);
    await done(entry);
    return "done";
  }

  function transient(result) {
    if (result.network) return "retry";
    if (result.auth) return "signed-out";
    if (result.status >= 500 || result.status === 429 || result.status === 408) return "retry";
    return null;
  }

  async function sendStart(entry) {
    const result = await post(URLS.start, {submission_id: entry.submissionId}, true);
    const again = transient(result);
    if (again) return again;
    if (result.status === 200 || result.status === 409) {
      const stored = result.data.submission_id || (result.data.current && result.data.current.submission_id);
      if (stored) adoptSubmissionId(stored);
      draft.started = true;
      form.dataset.status = result.data.status || form.dataset.status || "draft";
      await persistDraft();
    }
    await done(entry);
    return "done";
  }

  function adoptSubmissionId(id) {
    draft.submissionId = id;
    form.dataset.submissionId = id;
  }

  async function sendSave(entry) {
    const fs = byId.get(entry.item);
    const it = itemState(entry.item);
    const body = () => ({item_id: entry.item, value: entry.value, remark: entry.remark || "", version: it.version || 0});
    let result = await post(URLS.save, body(), true);
    if (result.status === 409 && result.data.current === undefined && draft.submissionId) {
      // "Start the inspection first": the start was refused or lost; start again, then retry.
      const started = await post(URLS.start, {submission_id: draft.submissionId}, true);
      const adopted = started.status === 409 && started.data.submission_id;
      if (adopted) adoptSubmissionId(started.data.submission_id);
      if (adopted || (started.status === 200 && (started.data.status || "draft") === "draft")) {
        draft.started = true;
        result = await post(URLS.save, body(), true);
      }
    }
    const again = transient(result);
    if (again) return again;
    if (result.status === 200) {
      const version = Number(result.data.version);
      if (Number.isFinite(version)) it.version = version;
      if (fs) fs.dataset.version = String(it.version);
      await done(entry);
      const rest = await serial(() => store.list());
      it.pending = rest.some((e) => e.kind === "save" && e.item === entry.item);
      it.conflict = null;
      if (result.data.score) draft.score = result.data.score;
      await persistDraft();
      if (fs) { itemStatus(fs, it.pending ? t("waiting") : t("item_saved"), it.pending ? "pending" : "saved"); renderConflict(fs); }
      showScore(result.data.score);
      updateProgress();
      return "done";
    }
    if (result.status === 409 && result.data.current !== undefined) {
      await done(entry);
      it.conflict = result.data.current || {value: null, remark: "", version: 0};
      it.pending = false;
      await withdrawQueuedSubmit();
      await persistDraft();
      if (fs) renderConflict(fs);
      return "done";
    }
    // Refused (422 and the like): show why, keep the answer on screen, drop the entry.
    await done(entry);
    it.pending = false;
    await persistDraft();
    if (fs) itemStatus(fs, t("item_error", {message: problemsOf(result.data).join("; ") || result.status}), "error");
    return "done";
  }

  async function sendPhoto(entry) {
    const li = form.querySelector(`li[data-client-id="${cssEscape(entry.clientId)}"]`);
    const result = await post(URLS.evidence, () => {
      const data = new FormData();
      data.append("item_id", entry.item);
      data.append("client_id", entry.clientId);
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
        if (!locked) addDeleteButton(li);
      }
      knowEvidence(entry.item, {id: result.data.id, src: result.data.thumbnail_url,
                                del: `${URLS.evidence}/${result.data.id}/delete`});
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

  async function sendSubmit(entry) {
    if (!entry.body.submission_id) {
      // Bound to the id on the first send and never changed afterwards (retries are identical).
      // The versions are those this tablet knows once every save queued before the submit was
      // answered: the server refuses to overwrite an answer someone else saved since.
      entry.body.submission_id = draft.submissionId;
      entry.body.versions = knownVersions(entry.body.answers || {});
      await serial(() => store.put(entry));
    }
    const result = await post(URLS.submit, entry.body, true);
    const again = transient(result);
    if (again) return again;
    if (result.status === 409 && result.data.conflicts && typeof result.data.conflicts === "object") {
      return submitConflicts(entry, result.data.conflicts);
    }
    if (result.status === 409) return "retry";       // the first copy is still being processed
    await done(entry);
    if (result.status === 200) {
      draft.submitted = true;
      draft.submitQueued = false;
      draft.recordUrl = result.data.record_url || URLS.record;
      form.dataset.status = "submitted";
      await persistDraft();
      lock(true);
      showScore(result.data.result);
      clearSubmitProblems();
      return "done";
    }
    // Refused: show the problems and let the inspector correct and submit again.
    draft.submitQueued = false;
    await persistDraft();
    lock(false);
    showSubmitProblems([t("submit_refused")].concat(problemsOf(result.data)));
    return "done";
  }

  function knownVersions(answers) {
    const versions = {};
    for (const id of Object.keys(answers)) {
      if (byId.has(id)) versions[id] = Number(itemState(id).version) || 0;
    }
    return versions;
  }

  /** The server refused the submit (409, nothing stored): answers were saved by someone else
   *  after this tablet last saw them. Each is shown like a save conflict (keep mine / use
   *  theirs); the inspector resolves them and submits again under the same submission id. */
  async function submitConflicts(entry, conflicts) {
    await done(entry);
    for (const [id, current] of Object.entries(conflicts)) {
      const fs = byId.get(id);
      if (!fs) continue;
      const it = itemState(id);
      it.conflict = current || {value: null, remark: "", version: 0};
      it.pending = false;
      renderConflict(fs);
    }
    draft.submitQueued = false;
    await persistDraft();
    lock(false);
    const first = Object.keys(conflicts).map((id) => byId.get(id)).find(Boolean);
    showSubmitProblems([t("resolve_conflicts")].concat(Object.keys(conflicts).map((id) => {
      const fs = byId.get(id);
      return fs ? {fs, text: id} : id;
    })));
    if (first) showStep(stepOf(first), false);
    renderStatus();
    return "done";
  }

  /** A conflict found while a submit waits behind it: the submit must not overwrite the
   *  other inspector's answer unseen, so it goes back to the inspector. */
  async function withdrawQueuedSubmit() {
    const removed = await serial(async () => {
      const entries = await store.list();
      const queued = entries.filter((e) => e.kind === "submit" && e.seq !== inFlightSeq && !e.body.submission_id);
      for (const e of queued) await store.remove(e.seq);
      return queued.length;
    });
    if (removed) {
      draft.submitQueued = false;
      lock(false);
      showSubmitProblems([t("resolve_conflicts")]);
    }
  }

  // ---------------------------------------------------------------- answers
  async function ensureStarted() {
    // Runs inside serial(): mints the submission id once and queues the start before the change.
    if (draft.started && draft.submissionId) return;
    if (!draft.submissionId) {
      adoptSubmissionId(uuid());
    }
    const entries = await store.list();
    if (!entries.some((e) => e.kind === "start")) {
      await store.add({kind: "start", inspection: INSPECTION, submissionId: draft.submissionId});
    }
  }

  /** Why the number typed for ``fs`` cannot be saved (below the input's min, e.g. a time
   *  below zero; not a number), or "" — the server refuses the same with a 422. */
  function numberProblem(fs) {
    const input = numberInput(fs);
    if (!input || input.disabled || input.value === "" || input.checkValidity()) return "";
    if (input.validity.rangeUnderflow && Number(input.min) === 0) return t("below_zero", {item: fs.dataset.itemId});
    return input.validationMessage || t("item_error", {message: input.value});
  }

  function saveItem(fs) {
    queueSave(fs);
    renderStatus();             // a debounced change is no longer "typed, not yet queued"
  }

  function queueSave(fs) {
    if (locked) return;
    const id = fs.dataset.itemId;
    clearTimeout(timers.get(id));
    timers.delete(id);
    const refused = numberProblem(fs);
    if (refused) {
      itemStatus(fs, refused, "error");
      return;
    }
    let {value, remark} = readItem(fs);
    const it = itemState(id);
    updateProgress();
    if (value === null && (it.value == null || it.value === "")) {
      it.remark = remark;           // a remark without an answer is kept until the answer comes
      persistDraft();
      return;
    }
    value = value === null ? "" : value;    // an emptied number field clears the answer
    if (value === it.value && remark === (it.remark || "") && !it.conflict) return;
    it.value = value;
    it.remark = remark;
    it.pending = true;
    if (it.conflict) { it.version = Number(it.conflict.version) || 0; it.conflict = null; renderConflict(fs); }
    itemStatus(fs, t("waiting"), "pending");
    queuing += 1;
    serial(async () => {
      await ensureStarted();
      await store.putDraft(JSON.parse(JSON.stringify(draft)));
      const entries = await store.list();
      const queued = entries.find((e) => e.kind === "save" && e.item === id && e.seq !== inFlightSeq);
      if (queued) { queued.value = value; queued.remark = remark; await store.put(queued); }
      else await store.add({kind: "save", inspection: INSPECTION, item: id, value, remark});
      pendingCount = (await store.list()).length;
    }).then(() => { queuing -= 1; renderStatus(); pump(); }, () => { queuing -= 1; renderStatus(); });
  }

  function debounce(fs) {
    const id = fs.dataset.itemId;
    clearTimeout(timers.get(id));
    timers.set(id, setTimeout(() => saveItem(fs), DEBOUNCE_MS));
    renderStatus();
  }

  function flushDebounced() {
    for (const id of Array.from(timers.keys())) {
      const fs = byId.get(id);
      if (fs) saveItem(fs);
    }
  }

  function renderConflict(fs) {
    const id = fs.dataset.itemId;
    const it = itemState(id);
    let box = fs.querySelector(".conflict");
    if (!it.conflict) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.className = "conflict";
      box.setAttribute("role", "alert");
      fs.appendChild(box);
    }
    box.textContent = "";
    const other = it.conflict;
    const text = document.createElement("p");
    text.textContent = t("conflict", {value: valueLabel(fs, other.value),
                                      remark: other.remark ? t("remark", {remark: other.remark}) : ""});
    box.appendChild(text);
    box.appendChild(button(t("keep_mine"), "keep-mine primary", () => {
      it.version = Number(other.version) || 0;
      it.conflict = null;
      it.value = null;                // force a new save based on their version
      box.remove();
      saveItem(fs);
      renderStatus();
    }));
    box.appendChild(button(t("take_theirs"), "take-theirs", () => {
      writeItem(fs, other.value, other.remark || "");
      it.value = other.value;
      it.remark = other.remark || "";
      it.version = Number(other.version) || 0;
      it.conflict = null;
      it.pending = false;
      fs.dataset.version = String(it.version);
      box.remove();
      persistDraft();
      updateProgress();
      itemStatus(fs, "", null);
      renderStatus();
    }));
    itemStatus(fs, "", null);
  }

  // ---------------------------------------------------------------- photos
  function decodeImage(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file).then((bitmap) => ({source: bitmap, width: bitmap.width, height: bitmap.height,
                                                        close: () => bitmap.close && bitmap.close()}));
    }
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => resolve({source: img, width: img.naturalWidth, height: img.naturalHeight,
                                  close: () => URL.revokeObjectURL(url)});
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  /** Resize to at most PHOTO_MAX_PX on the long side as JPEG; the original when that fails. */
  async function shrink(file) {
    let image;
    try {
      image = await decodeImage(file);
      const scale = Math.min(1, PHOTO_MAX_PX / Math.max(image.width, image.height));
      if (scale === 1 && file.type === "image/jpeg") return file;
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.width * scale));
      canvas.height = Math.max(1, Math.round(image.height * scale));
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image.source, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      return blob || file;
    } catch (err) {
      return file;                    // the server decides (it re-encodes or refuses)
    } finally {
      if (image) image.close();
    }
  }

  function readBuffer(blob) {
    if (blob.arrayBuffer) return blob.arrayBuffer();
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsArrayBuffer(blob);
    });
  }

  function photoList(fs) {
    let list = fs.querySelector("ul.photos");
    if (!list) {
      list = document.createElement("ul");
      list.className = "photos";
      fs.appendChild(list);
    }
    return list;
  }

  function addThumb(fs, src, clientId) {
    const li = document.createElement("li");
    li.className = "pending";
    li.dataset.clientId = clientId;
    const img = document.createElement("img");
    img.alt = t("photo_waiting");
    img.src = src;
    li.appendChild(img);
    photoList(fs).appendChild(li);
    return li;
  }

  /** A "remove" button on each stored photo (before submit; online only, not queued). */
  function addDeleteButton(li) {
    if (li.querySelector("button.photo-delete") || !li.dataset.evidenceId || form.dataset.status === "submitted") return;
    const remove = button(t("remove_photo"), "photo-delete", async () => {
      if (locked || !li.dataset.evidenceId) return;
      if (!window.confirm(t("remove_photo_confirm"))) return;
      const url = li.dataset.deleteUrl || `${URLS.evidence}/${li.dataset.evidenceId}/delete`;
      remove.disabled = true;
      const result = navigator.onLine ? await post(url, {}, true) : {network: true};
      const fs = li.closest("fieldset.item");
      if (result.status === 200 || result.status === 204 || result.status === 302 || result.status === 404) {
        forgetEvidence(li.dataset.evidenceId);
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

  async function addPhotos(input) {
    const fs = input.closest("fieldset.item");
    if (!fs || locked) return;
    const files = Array.from(input.files || []);
    input.value = "";
    for (const file of files) {
      queuing += 1;
      renderStatus();
      try {
        await queuePhoto(fs, file);
      } finally {
        queuing -= 1;
      }
      renderStatus();
      pump();
    }
  }

  async function queuePhoto(fs, file) {
    const clientId = uuid();
    const blob = await shrink(file);
    const data = await readBuffer(blob);
    addThumb(fs, URL.createObjectURL(blob), clientId);
    itemStatus(fs, t("photo_waiting"), "pending");
    await serial(async () => {
      await ensureStarted();
      await store.putDraft(JSON.parse(JSON.stringify(draft)));
      await store.add({kind: "photo", inspection: INSPECTION, item: fs.dataset.itemId, clientId,
                       type: blob.type || "image/jpeg", name: (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", data});
    });
    pendingCount += 1;
  }

  // ---------------------------------------------------------------- what the tablet knows of the server
  /* draft.evidence: item id → [{id, src, del}], the photos the server holds as this tablet last
   * knew them: taken from every page the server renders, then kept up to date by this tablet's
   * uploads and deletions. draft.score: the live score the server last gave (a page or a save).
   * A page the service worker served from its cache (data-offline-copy="1") may be older than
   * both, so it is brought up to date from them: an offline reload shows the photos uploaded
   * before it, and the submit check counts them as the server does. */
  const offlineCopy = form.dataset.offlineCopy === "1";

  function renderedEvidence() {
    const out = {};
    for (const fs of fieldsets) {
      const rows = Array.from(fs.querySelectorAll("ul.photos li[data-evidence-id]")).map((li) => {
        const img = li.querySelector("img");
        return {id: li.dataset.evidenceId, src: img ? img.getAttribute("src") : "", del: li.dataset.deleteUrl || ""};
      });
      if (rows.length) out[fs.dataset.itemId] = rows;
    }
    return out;
  }

  function knowEvidence(item, row) {
    draft.evidence = draft.evidence || {};
    const rows = draft.evidence[item] || (draft.evidence[item] = []);
    if (!rows.some((r) => String(r.id) === String(row.id))) rows.push(Object.assign({}, row, {id: String(row.id)}));
  }

  function forgetEvidence(id) {
    for (const rows of Object.values(draft.evidence || {})) {
      const at = rows.findIndex((r) => String(r.id) === String(id));
      if (at >= 0) rows.splice(at, 1);
    }
  }

  function renderedScore() {
    const score = {};
    for (const node of form.querySelectorAll("[data-score-field]")) score[node.dataset.scoreField] = node.textContent.trim();
    return score;
  }

  function addStoredThumb(fs, row) {
    const li = document.createElement("li");
    li.dataset.evidenceId = String(row.id);
    if (row.del) li.dataset.deleteUrl = row.del;
    const img = document.createElement("img");
    img.alt = t("photo_of", {item: fs.dataset.itemId});
    img.src = row.src;
    li.appendChild(img);
    const list = photoList(fs);
    list.insertBefore(li, list.querySelector("li[data-client-id]"));    // stored photos before waiting ones
    return li;
  }

  function mergeKnown() {
    if (!offlineCopy || !draft.evidence) {
      draft.evidence = renderedEvidence();        // the server's page: its photos and score are current
      draft.score = renderedScore();
      return;
    }
    for (const fs of fieldsets) {
      const rows = draft.evidence[fs.dataset.itemId] || [];
      const ids = new Set(rows.map((r) => String(r.id)));
      for (const li of fs.querySelectorAll("ul.photos li[data-evidence-id]")) {
        if (!ids.has(li.dataset.evidenceId)) li.remove();            // removed since the copy was made
      }
      for (const row of rows) {
        if (!fs.querySelector(`ul.photos li[data-evidence-id="${cssEscape(String(row.id))}"]`)) addStoredThumb(fs, row);
      }
    }
    if (draft.score) showScore(draft.score);
  }

  /** Does ``value`` fail the item, by the engine's rules (domain/scoring.py): check "fail"; a scale
   *  below its pass_min; a measure outside its bounds (inclusive). "na" never fails. */
  function failed(fs, value) {
    if (value == null || value === "" || value === "na") return false;
    if (itemType(fs) === "check") return value === "fail";
    const input = numberInput(fs);
    if (!input) return false;
    if (itemType(fs) === "scale") return compareDecimal(value, input.dataset.passMin || "0") < 0;
    const {min, max} = input.dataset;
    return (min != null && min !== "" && compareDecimal(value, min) < 0) ||
           (max != null && max !== "" && compareDecimal(value, max) > 0);
  }

  /** Compare two decimals written as text exactly (-1, 0, 1), as the server does; numbers in
   *  another notation are compared as floating point. */
  function compareDecimal(a, b) {
    const parse = (text) => {
      const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(String(text));
      if (!m || (m[2] === "" && !m[3])) return null;
      return {neg: m[1] === "-", int: m[2].replace(/^0+/, ""), frac: (m[3] || "").replace(/0+$/, "")};
    };
    const x = parse(a);
    const y = parse(b);
    if (!x || !y) return Math.sign(Number(a) - Number(b));
    const zero = (n) => !n.int && !n.frac;
    const sign = (n) => (zero(n) ? 0 : n.neg ? -1 : 1);
    if (sign(x) !== sign(y)) return Math.sign(sign(x) - sign(y));
    if (sign(x) === 0) return 0;
    let order = x.int.length - y.int.length || (x.int < y.int ? -1 : x.int > y.int ? 1 : 0);
    if (!order) {
      const width = Math.max(x.frac.length, y.frac.length);
      const fx = x.frac.padEnd(width, "0");
      const fy = y.frac.padEnd(width, "0");
      order = fx < fy ? -1 : fx > fy ? 1 : 0;
    }
    return sign(x) < 0 ? -order : order;
  }

  // ---------------------------------------------------------------- signatures and submit
  function setupSignatures() {
    if (!window.SignaturePad) return;
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
      clear.addEventListener("click", () => { const pad = pads[clear.dataset.clear]; if (pad && !locked) pad.clear(); });
    }
  }

  function representativeInput() { return form.querySelector('input[name="representative_name"]'); }

  function localProblems() {
    const problems = [];
    for (const fs of fieldsets) {
      const it = itemState(fs.dataset.itemId);
      const legend = fs.querySelector("legend");
      const name = fs.dataset.itemId + (legend ? " " + legend.textContent.trim().slice(0, 40) : "");
      if (it.conflict) { problems.push({fs, text: t("resolve_conflicts")}); continue; }
      const {value} = readItem(fs);
      if (value === null) { problems.push({fs, text: t("not_answered", {item: name})}); continue; }
      const invalid = numberProblem(fs);
      if (invalid) { problems.push({fs, text: invalid}); continue; }
      // The photos the server holds (as this tablet knows them) and those waiting in the outbox,
      // which is sent, in order, before the submit.
      const photos = fs.querySelectorAll("ul.photos li").length;
      const evidence = fs.dataset.evidence || "none";
      if (!photos && (evidence === "photo_always" || (evidence === "photo_on_fail" && failed(fs, value)))) {
        problems.push({fs, text: t("photo_required", {item: name})});
      }
    }
    const rep = representativeInput();
    if (rep && !rep.value.trim()) problems.push({fs: rep, text: t("representative_required")});
    if (Object.keys(pads).length && Object.values(pads).some((p) => p.isEmpty())) {
      problems.push({fs: form.querySelector("canvas[data-signature]"), text: t("signature_required")});
    }
    return problems;
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

  function clearSubmitProblems() {
    const node = form.querySelector("ul.submit-problems");
    if (node) node.remove();
  }

  function showSubmitProblems(problems) {
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

  function buildBody() {
    const answers = {};
    const remarks = {};
    for (const fs of fieldsets) {
      const {value, remark} = readItem(fs);
      if (value !== null) answers[fs.dataset.itemId] = value;
      if (remark && remark.trim()) remarks[fs.dataset.itemId] = remark;
    }
    const signatures = {};
    for (const [role, pad] of Object.entries(pads)) signatures[role] = pad.toDataURL();
    const rep = representativeInput();
    return {submission_id: "", answers, remarks, representative_name: rep ? rep.value.trim() : "", signatures};
  }

  let submitting = false;       // guards a double tap before the entry is stored

  async function onSubmit(event) {
    event.preventDefault();
    if (submitting || locked || draft.submitted) return;
    submitting = true;
    if (submitButton) submitButton.disabled = true;
    try {
      flushDebounced();
      const problems = localProblems();
      if (problems.length) {
        showSubmitProblems(problems);
        if (submitButton) submitButton.disabled = false;
        return;
      }
      clearSubmitProblems();
      const body = buildBody();
      lock(false, true);
      draft.submitQueued = true;
      await serial(async () => {
        await ensureStarted();
        await store.putDraft(JSON.parse(JSON.stringify(draft)));
        await store.add({kind: "submit", inspection: INSPECTION, body});
        pendingCount = (await store.list()).length;
      });
      renderStatus();
      pump();
    } finally {
      submitting = false;
    }
  }

  /** Read-only while a submit is queued (its body is fixed) and for good once submitted. */
  function lock(forGood, queued) {
    locked = forGood || !!queued;
    for (const node of form.querySelectorAll("input, textarea, select, button")) {
      if (node.closest("nav.steps") || node.closest(".step-buttons") || node.closest(".conflict")) continue;
      node.disabled = locked;
    }
    if (!locked) {
      for (const fs of fieldsets) {
        const na = naBox(fs);
        const input = numberInput(fs);
        if (na && input && na.checked) input.disabled = true;
      }
    }
    for (const pad of Object.values(pads)) pad.disabled = locked;
    form.classList.toggle("locked", locked);
  }

  // ---------------------------------------------------------------- service worker
  function assetUrls() {
    const urls = [location.href.split("#")[0]];
    for (const node of document.querySelectorAll("script[src], link[rel=stylesheet][href], ul.photos img[src]")) {
      const url = node.src || node.href;
      if (url && !url.startsWith("blob:") && !url.startsWith("data:")) urls.push(url);
    }
    return urls;
  }

  function cacheUrls(urls) {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.controller.postMessage({type: "cache", urls: urls.filter(Boolean)});
  }

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator) || URLS.sw === "") return;
    const url = URLS.sw || "/inspections/sw.js";
    navigator.serviceWorker.register(url).then(() => navigator.serviceWorker.ready).then((registration) => {
      // The first visit was not fetched through the worker: hand it the page and its files.
      if (registration.active) registration.active.postMessage({type: "cache", urls: assetUrls()});
    }).catch(() => undefined);
  }

  // ---------------------------------------------------------------- start-up
  function initialDraft() {
    return {inspection: INSPECTION, submissionId: form.dataset.submissionId || "",
            started: !!form.dataset.submissionId || form.dataset.status === "draft",
            items: {}, representativeName: "", signatures: {}, submitted: false, submitQueued: false, recordUrl: ""};
  }

  function mergeRendered(entries) {
    const pendingItems = new Set(entries.filter((e) => e.kind === "save").map((e) => e.item));
    for (const fs of fieldsets) {
      const id = fs.dataset.itemId;
      const rendered = readItem(fs);
      const renderedVersion = Number(fs.dataset.version) || 0;
      const local = draft.items[id];
      if (!local) {
        draft.items[id] = {value: rendered.value, remark: rendered.remark, version: renderedVersion, pending: false, conflict: null};
        continue;
      }
      local.pending = pendingItems.has(id);
      if (local.pending || local.conflict || (local.version || 0) >= renderedVersion) {
        // What this tablet holds is newer than the page (a page from the cache, or answers
        // given offline): show it. A stale base version is found by the server on replay.
        if (local.value !== null) writeItem(fs, local.value, local.remark);
        else if (local.remark) { const box = remarkBox(fs); if (box) box.value = local.remark; }
        if (!local.pending && !local.conflict) local.version = Math.max(local.version || 0, renderedVersion);
        fs.dataset.version = String(local.version || 0);
        if (local.pending) itemStatus(fs, t("waiting"), "pending");
        if (local.conflict) renderConflict(fs);
      } else {
        // The server has a newer answer (another inspector, or this one on another device).
        draft.items[id] = {value: rendered.value, remark: rendered.remark, version: renderedVersion, pending: false, conflict: null};
      }
    }
    for (const entry of entries) {
      if (entry.kind !== "photo") continue;
      const fs = byId.get(entry.item);
      if (fs && !form.querySelector(`li[data-client-id="${cssEscape(entry.clientId)}"]`)) {
        addThumb(fs, URL.createObjectURL(new Blob([entry.data], {type: entry.type})), entry.clientId);
      }
    }
  }

  async function start() {
    addStepButtons();
    const hashIndex = steps.findIndex((s) => "#" + s.id === location.hash);
    showStep(hashIndex >= 0 ? hashIndex : 0, false);

    store = await openStore();
    const saved = await store.getDraft().catch(() => null);
    draft = saved || initialDraft();
    draft.items = draft.items || {};
    const rendered = form.dataset.submissionId || "";
    if (rendered && rendered !== draft.submissionId) { draft.submissionId = rendered; draft.started = true; }
    if (rendered || form.dataset.status === "draft") draft.started = true;
    if (draft.submissionId) form.dataset.submissionId = draft.submissionId;

    let entries = await countPending();
    if (form.dataset.status !== "submitted") draft.submitted = false;
    if (form.dataset.status === "submitted") {
      // The server holds the record: only a re-sent submit (harmless, idempotent) may remain.
      await serial(async () => { for (const e of entries) if (e.kind !== "submit") await store.remove(e.seq); });
      entries = await countPending();
      draft.submitted = true;
      draft.submitQueued = false;
    }
    mergeRendered(entries);
    mergeKnown();
    draft.submitQueued = entries.some((e) => e.kind === "submit");

    const rep = representativeInput();
    if (rep) {
      if (!rep.value && draft.representativeName) rep.value = draft.representativeName;
      rep.addEventListener("input", () => { draft.representativeName = rep.value; persistDraft(); });
    }
    setupSignatures();
    for (const li of form.querySelectorAll("ul.photos li[data-evidence-id]")) addDeleteButton(li);
    await persistDraft();

    form.addEventListener("change", (event) => {
      const target = event.target;
      const fs = target.closest("fieldset.item[data-item-id]");
      if (target.type === "file") { addPhotos(target); return; }
      if (!fs) return;
      if (target.type === "checkbox" && target.name.startsWith("na-")) {
        const input = numberInput(fs);
        if (input) input.disabled = target.checked;
      }
      saveItem(fs);
    });
    form.addEventListener("input", (event) => {
      const target = event.target;
      const fs = target.closest("fieldset.item[data-item-id]");
      if (fs && (target.type === "number" || target.tagName === "TEXTAREA")) { updateProgress(); debounce(fs); }
    });
    form.addEventListener("submit", (event) => event.preventDefault());   // Enter in a field
    if (submitButton) { submitButton.type = "button"; submitButton.addEventListener("click", onSubmit); }

    window.addEventListener("online", () => { tokenFresh = false; signedOut = false; retryDelay = RETRY_MIN_MS; clearTimeout(retryTimer); pump(); });
    window.addEventListener("offline", () => renderStatus());
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") pump(); });
    window.addEventListener("pagehide", flushDebounced);

    if (draft.submitted) lock(true);
    else if (draft.submitQueued) lock(false, true);
    for (const fs of fieldsets) {
      const na = naBox(fs);
      const input = numberInput(fs);
      if (na && input && na.checked) input.disabled = true;
    }
    updateProgress();
    renderStatus();
    form.dataset.ready = "1";       // the page is enhanced (tests and styles may rely on it)
    registerServiceWorker();
    // The page may come from the worker's cache, with an old token: refresh before replaying.
    if (entries.length) tokenFresh = false; else tokenFresh = true;
    pump();
  }

  function boot() {
    start().catch((err) => { if (window.console) console.error("inspection form:", err); });
  }

  // signature-pad.js is normally included before this file; load it when it was not.
  if (!window.SignaturePad) {
    const self = document.currentScript;
    const script = document.createElement("script");
    script.src = self && self.src ? self.src.replace(/inspection-form\.js(\?.*)?$/, "signature-pad.js") : "/static/js/signature-pad.js";
    script.onload = boot;
    script.onerror = boot;
    document.head.appendChild(script);
  } else {
    boot();
  }
})();
