// What the tablet holds against what the page or the server says (inspect_app/static/js/form/merge.js).
import {test} from "node:test";
import assert from "node:assert/strict";

import {blankItem, evidenceToShow, forgetEvidence, keepMine, knowEvidence, knownVersions, markConflict, mergeItem,
        needsSave, resolveByEditing, takeTheirs} from "../../inspect_app/static/js/form/merge.js";

const held = (over = {}) => Object.assign(blankItem(), {value: "pass", remark: "", version: 3}, over);
const page = {value: "fail", remark: "from the page"};

test("an item the tablet never held takes the page's answer and version", () => {
  const {item, kept} = mergeItem(undefined, page, 4, false);
  assert.equal(kept, false);
  assert.deepEqual(item, {value: "fail", remark: "from the page", version: 4, pending: false, conflict: null});
});

test("a newer answer on the server replaces what the tablet held", () => {
  const {item, kept} = mergeItem(held({version: 3}), page, 4, false);
  assert.equal(kept, false);
  assert.equal(item.value, "fail");
  assert.equal(item.version, 4);
});

test("an answer not yet sent is kept over any page, its base version unchanged", () => {
  const {item, kept} = mergeItem(held({version: 1}), page, 9, true);
  assert.equal(kept, true);
  assert.equal(item.value, "pass");
  assert.equal(item.version, 1, "the server finds a stale base on replay");
  assert.equal(item.pending, true);
});

test("a page older than the tablet (a cached copy) does not undo the tablet's answer", () => {
  const {item, kept} = mergeItem(held({version: 5, pending: true}), {value: null, remark: ""}, 0, false);
  assert.equal(kept, true);
  assert.equal(item.value, "pass");
  assert.equal(item.version, 5);
  assert.equal(item.pending, false, "nothing of it waits in the outbox any more");
});

test("an unresolved conflict is kept, whatever the page says", () => {
  const conflict = {value: "fail", remark: "other", version: 7};
  const {item, kept} = mergeItem(held({version: 3, conflict}), page, 8, false);
  assert.equal(kept, true);
  assert.equal(item.conflict, conflict);
  assert.equal(item.version, 3);
});

test("the same version seen on both sides is kept (and the version settles on the larger)", () => {
  const {item, kept} = mergeItem(held({version: 4}), page, 4, false);
  assert.equal(kept, true);
  assert.equal(item.version, 4);
});

test("a change is saved only when it differs or a conflict is open", () => {
  const it = held({remark: "r"});
  assert.equal(needsSave(it, "pass", "r"), false);
  assert.equal(needsSave(it, "fail", "r"), true);
  assert.equal(needsSave(it, "pass", "r2"), true);
  assert.equal(needsSave(held({remark: undefined}), "pass", ""), false);
  assert.equal(needsSave(held({remark: "r", conflict: {version: 2}}), "pass", "r"), true);
});

test("keep mine saves again on top of their version; use theirs takes their answer", () => {
  const other = {value: "fail", remark: "theirs", version: "6"};
  const mineKept = markConflict(held({pending: true}), other);
  assert.equal(mineKept.pending, false);
  keepMine(mineKept);
  assert.deepEqual([mineKept.version, mineKept.conflict, mineKept.value], [6, null, null]);

  const theirs = markConflict(held(), other);
  takeTheirs(theirs);
  assert.deepEqual(theirs, {value: "fail", remark: "theirs", version: 6, pending: false, conflict: null});
  assert.deepEqual(markConflict(held(), null).conflict, {value: null, remark: "", version: 0}, "deleted elsewhere");
});

test("editing an item in conflict resolves it on top of the other version", () => {
  const it = held({conflict: {value: "fail", version: 8}});
  assert.equal(resolveByEditing(it), true);
  assert.deepEqual([it.version, it.conflict], [8, null]);
  assert.equal(resolveByEditing(held()), false);
});

test("the submit carries the version the tablet last saw of each answer it holds", () => {
  const items = {A: held({version: 2}), B: held({version: "5"}), C: blankItem()};
  assert.deepEqual(knownVersions({A: "pass", B: "fail", C: "na", X: "pass"}, (id) => items[id]),
                   {A: 2, B: 5, C: 0});
});

test("the photos the server holds are kept per item: added once, removed by id", () => {
  let evidence = knowEvidence(undefined, "A", {id: 11, src: "/t/11", del: "/d/11"});
  evidence = knowEvidence(evidence, "A", {id: "11", src: "/t/11", del: "/d/11"});
  evidence = knowEvidence(evidence, "B", {id: 12, src: "/t/12", del: ""});
  assert.deepEqual(evidence, {A: [{id: "11", src: "/t/11", del: "/d/11"}], B: [{id: "12", src: "/t/12", del: ""}]});
  forgetEvidence(evidence, 11);
  assert.deepEqual(evidence, {A: [], B: [{id: "12", src: "/t/12", del: ""}]});
  forgetEvidence(undefined, 1);     // nothing known: nothing to do
});

test("a cached page shows the photos the tablet knows: stale ones go, missing ones come", () => {
  const rows = [{id: "1", src: "/t/1"}, {id: "3", src: "/t/3"}];
  assert.deepEqual(evidenceToShow(rows, ["1", "2"]), {remove: ["2"], add: [{id: "3", src: "/t/3"}]});
  assert.deepEqual(evidenceToShow(undefined, ["1"]), {remove: ["1"], add: []});
});
