// The outbox's order and coalescing rules (inspect_app/static/js/form/outbox.js).
import {test} from "node:test";
import assert from "node:assert/strict";

import {coalesceTarget, droppedOnceSubmitted, hasStart, hasSubmit, inOrder, mine, photoEntries, savesWaiting,
        withdrawable} from "../../inspect_app/static/js/form/outbox.js";

const save = (seq, item, extra = {}) => ({kind: "save", inspection: "7", item, value: "pass", remark: "", seq, user: "3", ...extra});

test("entries are sent first in, first out, whatever order the store returns them in", () => {
  const entries = [save(5, "A"), {kind: "start", inspection: "7", seq: 2, user: "3"}, save(9, "B"), save(3, "C")];
  assert.deepEqual(inOrder(entries, "7", "3").map((e) => e.seq), [2, 3, 5, 9]);
});

test("another inspection's entries and another author's are left alone", () => {
  const entries = [save(1, "A"), save(2, "B", {inspection: "8"}), save(3, "C", {user: "4"}), save(4, "D", {user: undefined})];
  assert.deepEqual(inOrder(entries, "7", "3").map((e) => e.seq), [1, 4]);
  assert.equal(mine({user: "4"}, "3"), false);
  assert.equal(mine({}, "3"), true, "entries queued before authors were recorded belong to whoever opens the form");
});

test("a second change of an item is merged into its waiting save, never into the one in flight", () => {
  const entries = [save(1, "A"), save(2, "B"), save(3, "A")];
  assert.equal(coalesceTarget(entries, "A", null).seq, 1);
  assert.equal(coalesceTarget(entries, "A", 1).seq, 3, "the first is being sent: the later one takes the change");
  assert.equal(coalesceTarget([save(1, "A")], "A", 1), null, "only the one in flight: a new entry is needed");
  assert.equal(coalesceTarget(entries, "Z", null), null);
  const photo = {kind: "photo", item: "A", seq: 4};
  assert.equal(coalesceTarget([photo], "A", null), null, "a photo is never a save");
});

test("the start is queued once; the items waiting and the photos are found", () => {
  assert.equal(hasStart([save(1, "A")]), false);
  assert.equal(hasStart([{kind: "start", seq: 1}, save(2, "A")]), true);
  assert.deepEqual([...savesWaiting([save(1, "A"), {kind: "photo", item: "B", seq: 2}, save(3, "C")])].sort(), ["A", "C"]);
  assert.deepEqual(photoEntries([save(1, "A"), {kind: "photo", item: "B", seq: 2}]).map((e) => e.seq), [2]);
});

test("a conflict withdraws only a submit not yet sent (no id bound, not in flight)", () => {
  const queued = {kind: "submit", seq: 5, body: {submission_id: ""}};
  const bound = {kind: "submit", seq: 6, body: {submission_id: "abc"}};
  const flying = {kind: "submit", seq: 7, body: {submission_id: ""}};
  assert.deepEqual(withdrawable([save(1, "A"), queued, bound, flying], 7).map((e) => e.seq), [5]);
  assert.equal(hasSubmit([save(1, "A")]), false);
  assert.equal(hasSubmit([save(1, "A"), bound]), true);
});

test("once the server holds the record only a re-sent submit may remain", () => {
  const entries = [{kind: "start", seq: 1}, save(2, "A"), {kind: "photo", seq: 3}, {kind: "submit", seq: 4, body: {}}];
  assert.deepEqual(droppedOnceSubmitted(entries).map((e) => e.seq), [1, 2, 3]);
});
