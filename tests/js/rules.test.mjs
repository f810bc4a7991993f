// The submit check's rules: failed items, required photos, answered counts
// (inspect_app/static/js/form/rules.js), as the server's engine decides them.
import {test} from "node:test";
import assert from "node:assert/strict";

import {answeredCount, compareDecimal, fails, itemProblem, onSpotMarks, onSpotProblem, photoMissing}
  from "../../inspect_app/static/js/form/rules.js";

test("decimals written as text are compared exactly", () => {
  assert.equal(compareDecimal("0.1", "0.10"), 0);
  assert.equal(compareDecimal("8", "8.000"), 0);
  assert.equal(compareDecimal("-0", "0"), 0);
  assert.equal(compareDecimal("8.0000000000000001", "8"), 1, "beyond floating point");
  assert.equal(compareDecimal("-2.5", "-2.45"), -1);
  assert.equal(compareDecimal("10", "9.99"), 1);
  assert.equal(compareDecimal("007", "7"), 0);
  assert.equal(compareDecimal(".5", "0.4"), 1);
  assert.equal(compareDecimal("+3", "3"), 0);
  assert.equal(compareDecimal("1e2", "99"), 1, "another notation: compared as a number");
});

test("an item fails as the engine says: check fail, scale below pass_min, measure out of bounds", () => {
  assert.equal(fails({type: "check"}, "fail"), true);
  assert.equal(fails({type: "check"}, "pass"), false);
  assert.equal(fails({type: "scale", passMin: "3"}, "2.5"), true);
  assert.equal(fails({type: "scale", passMin: "3"}, "3"), false);
  assert.equal(fails({type: "scale"}, "0"), false, "no pass_min: zero passes");
  const fridge = {type: "measure", min: "0", max: "8"};
  assert.equal(fails(fridge, "12"), true);
  assert.equal(fails(fridge, "8"), false, "bounds are inclusive");
  assert.equal(fails(fridge, "8.01"), true);
  assert.equal(fails(fridge, "-0.5"), true);
  assert.equal(fails({type: "measure", min: "", max: "5"}, "-100"), false, "an empty bound does not apply");
  for (const value of [null, "", "na"]) assert.equal(fails(fridge, value), false, String(value));
});

test("a photo is wanted always, or only when the item fails, and any photo held counts", () => {
  const onFail = {type: "measure", min: "0", max: "8", evidence: "photo_on_fail"};
  assert.equal(photoMissing(onFail, "12", 0), true);
  assert.equal(photoMissing(onFail, "12", 1), false);
  assert.equal(photoMissing(onFail, "5", 0), false);
  assert.equal(photoMissing({type: "check", evidence: "photo_always"}, "pass", 0), true);
  assert.equal(photoMissing({type: "check", evidence: "none"}, "fail", 0), false);
  assert.equal(photoMissing({type: "check"}, "fail", 0), false, "no evidence rule: none");
});

test("each item gets its first problem: conflict, then no answer, a refused number, a missing photo", () => {
  const check = {type: "check", evidence: "photo_on_fail"};
  assert.deepEqual(itemProblem({item: check, value: null, conflict: {version: 1}}), {key: "resolve_conflicts"});
  assert.deepEqual(itemProblem({item: check, value: null}), {key: "not_answered"});
  assert.deepEqual(itemProblem({item: {type: "measure"}, value: "-1", invalid: "below zero"}), {text: "below zero"});
  assert.deepEqual(itemProblem({item: check, value: "fail", photos: 0}), {key: "photo_required"});
  assert.equal(itemProblem({item: check, value: "fail", photos: 2}), null);
  assert.equal(itemProblem({item: check, value: "pass", photos: 0}), null);
});

test("the answered count counts every answer shown, na included", () => {
  assert.equal(answeredCount([null, "pass", "na", "0", null]), 3);
  assert.equal(answeredCount([]), 0);
});

test("an on-the-spot mark needs a failed item, a note and a photo taken after the fix", () => {
  const check = {type: "check", evidence: "none"};
  assert.equal(onSpotProblem(check, "fail", null), null, "no box: nothing to check");
  assert.equal(onSpotProblem(check, "pass", {marked: false, note: "", after: 0}), null, "not marked");
  assert.deepEqual(onSpotProblem(check, "pass", {marked: true, note: "已清理", after: 1}), {key: "on_spot_not_failed"});
  assert.deepEqual(onSpotProblem(check, "na", {marked: true, note: "已清理", after: 1}), {key: "on_spot_not_failed"});
  assert.deepEqual(onSpotProblem(check, "fail", {marked: true, note: "  ", after: 1}), {key: "on_spot_note_required"});
  assert.deepEqual(onSpotProblem(check, "fail", {marked: true, note: "已清理", after: 0}), {key: "on_spot_photo_required"});
  assert.equal(onSpotProblem(check, "fail", {marked: true, note: "已清理", after: 1}), null);
  const fridge = {type: "measure", min: "0", max: "8"};
  assert.equal(onSpotProblem(fridge, "12", {marked: true, note: "已调温", after: 2}), null, "a measure out of bounds fails");
  assert.deepEqual(onSpotProblem(fridge, "8", {marked: true, note: "已调温", after: 2}), {key: "on_spot_not_failed"});
});

test("the on-the-spot check comes after the item's own problems", () => {
  const onFail = {type: "check", evidence: "photo_on_fail"};
  const mark = {marked: true, note: "", after: 0};
  assert.deepEqual(itemProblem({item: onFail, value: null, onSpot: mark}), {key: "not_answered"});
  assert.deepEqual(itemProblem({item: onFail, value: "fail", photos: 0, onSpot: mark}), {key: "photo_required"});
  assert.deepEqual(itemProblem({item: onFail, value: "fail", photos: 1, onSpot: mark}), {key: "on_spot_note_required"});
  assert.equal(itemProblem({item: onFail, value: "fail", photos: 2, onSpot: {marked: true, note: "已修", after: 1}}), null);
});

test("the submit body carries the marked items' notes, trimmed, and nothing for the others", () => {
  assert.deepEqual(onSpotMarks([["FIRE-15", {marked: true, note: " 已清除通道杂物 "}], ["FIRE-20", {marked: false, note: "草稿"}],
                                ["FIRE-09", null]]), {"FIRE-15": "已清除通道杂物"});
  assert.deepEqual(onSpotMarks([]), {});
});
