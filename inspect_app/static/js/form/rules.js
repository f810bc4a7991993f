/* The submit check's rules, as the server's engine decides them (domain/scoring/single.py): when an
 * item fails, when it wants a photo, the first problem of an item, the answered count. Pure
 * (tests/js/rules.test.mjs); the form (submit.js) reads the values and counts the photos.
 *
 * An item: {type: "check"|"scale"|"measure", evidence: "none"|"photo_always"|"photo_on_fail",
 * passMin (scale), min, max (measure; "" or absent: no bound)}, as the page's data-* give them. */

/** Compare two decimals written as text exactly (-1, 0, 1), as the server does; numbers in
 *  another notation are compared as floating point. */
export function compareDecimal(a, b) {
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

/** Does ``value`` fail the item: a check "fail"; a scale below its pass_min; a measure outside
 *  its bounds (inclusive). No answer and "na" never fail. */
export function fails(item, value) {
  if (value == null || value === "" || value === "na") return false;
  if (item.type === "check") return value === "fail";
  if (item.type === "scale") return compareDecimal(value, item.passMin || "0") < 0;
  const {min, max} = item;
  return (min != null && min !== "" && compareDecimal(value, min) < 0) ||
         (max != null && max !== "" && compareDecimal(value, max) > 0);
}

/** Is a photo wanted and none held? ``photos`` counts those the server holds (as the tablet
 *  knows them) and those waiting in the outbox, which is sent in order before the submit. */
export function photoMissing(item, value, photos) {
  const evidence = item.evidence || "none";
  return !photos && (evidence === "photo_always" || (evidence === "photo_on_fail" && fails(item, value)));
}

/** The first problem of an on-the-spot rectification mark (当场整改; ``mark``: {marked, note,
 *  after: the "after" photos held or waiting}), or null: only a failed item, with a note and at
 *  least one photo taken after the fix (domain/rectification/on_spot.py). Which items offer the
 *  mark at all (minor, not veto) is decided by the page, which shows the box only there. */
export function onSpotProblem(item, value, mark) {
  if (!mark || !mark.marked) return null;
  if (!fails(item, value)) return {key: "on_spot_not_failed"};
  if (!String(mark.note || "").trim()) return {key: "on_spot_note_required"};
  if (!mark.after) return {key: "on_spot_photo_required"};
  return null;
}

/** The submit body's ``on_spot``: item id → note (trimmed) of each marked item, in the order
 *  given; ``marks``: [[item id, {marked, note}], …]. */
export function onSpotMarks(marks) {
  const out = {};
  for (const [id, mark] of marks) if (mark && mark.marked) out[id] = String(mark.note || "").trim();
  return out;
}

/** The first problem of an item before submitting, or null: an open conflict, no answer, a
 *  number the form refuses (``invalid``: its text), a missing photo, an incomplete on-the-spot
 *  mark. A problem is a text key ({key}) or a text ({text}). */
export function itemProblem({item, value, conflict = null, invalid = "", photos = 0, onSpot = null}) {
  if (conflict) return {key: "resolve_conflicts"};
  if (value === null) return {key: "not_answered"};
  if (invalid) return {text: invalid};
  if (photoMissing(item, value, photos)) return {key: "photo_required"};
  return onSpotProblem(item, value, onSpot);
}

/** How many of the answers shown are given ("na" included). */
export function answeredCount(values) {
  return values.filter((value) => value !== null).length;
}
