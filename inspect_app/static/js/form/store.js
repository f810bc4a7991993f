/* Storage on the tablet: IndexedDB "careinspect-tablet", store "outbox" (auto-increment seq,
 * index by inspection) and store "drafts" (one record per inspection). Falls back to memory
 * when IndexedDB is unavailable (the page still works online; nothing survives a reload then).
 * Every read-modify-write of the outbox or the draft runs through serial(). */
import {inOrder} from "./outbox.js";

/** The store of one inspection's outbox and draft, for ``user``'s entries. */
export function openStore(inspection, user) {
  const memory = {outbox: new Map(), drafts: new Map(), seq: 0};
  const memoryStore = {
    persistent: false,
    list: async () => inOrder([...memory.outbox.values()], inspection, user),
    add: async (entry) => {
      entry.user = user; entry.seq = ++memory.seq; memory.outbox.set(entry.seq, entry); return entry.seq;
    },
    put: async (entry) => { memory.outbox.set(entry.seq, entry); },
    remove: async (seq) => { memory.outbox.delete(seq); },
    getDraft: async () => memory.drafts.get(inspection) || null,
    putDraft: async (draft) => { memory.drafts.set(inspection, draft); },
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
    list: () => run("outbox", "readonly", (s) => s.index("inspection").getAll(inspection))
      .then((rows) => inOrder(rows, inspection, user)),
    add: (entry) => {
      entry.user = user;
      return run("outbox", "readwrite", (s) => s.add(entry)).then((seq) => { entry.seq = seq; return seq; });
    },
    put: (entry) => run("outbox", "readwrite", (s) => s.put(entry)),
    remove: (seq) => run("outbox", "readwrite", (s) => s.delete(seq)),
    getDraft: () => run("drafts", "readonly", (s) => s.get(inspection)).then((d) => d || null),
    putDraft: (draft) => run("drafts", "readwrite", (s) => s.put(draft)),
  };
  // Probe once: private browsing in old Safari opens but refuses writes.
  return idbStore.getDraft().then(() => idbStore, () => memoryStore);
}

/* One queue for every read-modify-write of the outbox or the draft, so the pump picking the
 * next entry and the form coalescing a save never interleave. */
let chain = Promise.resolve();

export function serial(fn) {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}
