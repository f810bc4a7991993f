/* The texts the form shows, in the page's language: the server renders them, translated, from
 * inspect_app/inspections/form_texts.py into <script type="application/json" id="form-texts">
 * (data, not script: the CSP stays script-src 'self'). Nothing is copied here. */

let texts = null;

function load() {
  if (texts) return texts;
  const node = document.getElementById("form-texts");
  try { texts = (node && JSON.parse(node.textContent)) || {}; } catch (err) { texts = {}; }
  return texts;
}

/** The text ``key`` with its placeholders ({n}, {item}, …) filled from ``params``. */
export function t(key, params) {
  const all = load();
  const text = all[key] != null ? String(all[key]) : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (params && params[name] != null ? String(params[name]) : m));
}
