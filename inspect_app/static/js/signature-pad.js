/* Signature pad: draw with a finger, stylus or mouse on a <canvas>; export a PNG data URL.
 *
 * Plain ES2020, no dependencies. Strokes are kept as points in CSS pixels so the drawing
 * survives a resize (the canvas is sized when its step becomes visible) and can be stored
 * and restored (the form keeps them in IndexedDB so a reload does not lose a signature).
 *
 *   const pad = new SignaturePad(canvas, {onChange(strokes) {...}});
 *   pad.isEmpty(); pad.clear(); pad.toDataURL(); pad.setStrokes(strokes); pad.resize();
 *   pad.disabled = true;
 *
 * Without a pointer (WCAG 2.1.1): a name typed on the keyboard and explicitly confirmed signs
 * instead (pad.setTyped(name, label)). It is kept as one "stroke" ["typed", name, label] so a
 * form's draft stores and restores it like a drawing, and the PNG shows the name with the
 * words "typed signature, confirmed" and the date: the record says how it was signed. The
 * controls are a [data-typed-signature="<role>"] block next to canvas[data-signature="<role>"]
 * (templates/inspections/form.html); the pad is found through canvas.signaturePad.
 */
(function () {
  "use strict";

  class SignaturePad {
    constructor(canvas, options = {}) {
      this.canvas = canvas;
      this.onChange = options.onChange || null;
      this.lineWidth = options.lineWidth || 2.5;
      this.color = options.color || "#111";
      this.strokes = [];          // [[[x, y], ...], ...] in CSS pixels
      this.current = null;
      this.pointerId = null;
      this.disabled = false;
      this.width = 0;
      this.height = 0;
      canvas.signaturePad = this;
      // No scrolling or zooming while drawing (CSSOM, allowed by the CSP).
      canvas.style.touchAction = "none";
      canvas.addEventListener("pointerdown", (e) => this._down(e));
      canvas.addEventListener("pointermove", (e) => this._move(e));
      canvas.addEventListener("pointerup", (e) => this._up(e));
      canvas.addEventListener("pointercancel", (e) => this._up(e));
      canvas.addEventListener("lostpointercapture", (e) => this._up(e));
      this.resize();
      window.addEventListener("resize", () => this.resize());
    }

    /** Match the backing store to the displayed size (sharp on retina screens). */
    resize() {
      // Measure the laid-out size (the stylesheet's, else the default 300×150), then pin it
      // so that changing the backing store below does not change the displayed size.
      this.canvas.style.width = "";
      this.canvas.style.height = "";
      const rect = this.canvas.getBoundingClientRect();
      if (!rect.width || !rect.height) return false;     // hidden: try again when shown
      this.canvas.style.width = rect.width + "px";
      this.canvas.style.height = rect.height + "px";
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      this.width = rect.width;
      this.height = rect.height;
      this.canvas.width = Math.round(rect.width * ratio);
      this.canvas.height = Math.round(rect.height * ratio);
      const ctx = this.canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      this._redraw();
      return true;
    }

    isEmpty() {
      return !this.strokes.some((s) => (s[0] === "typed" ? Boolean(String(s[1]).trim()) : s.length > 0));
    }

    /** The typed signature ({name, label}) or null. */
    typed() {
      const stroke = this.strokes.find((s) => s[0] === "typed");
      return stroke ? {name: String(stroke[1]), label: String(stroke[2] || "")} : null;
    }

    /** Sign with a typed and confirmed name instead of a drawing (replaces any drawing). */
    setTyped(name, label) {
      if (this.disabled) return;
      this.strokes = String(name || "").trim() ? [["typed", String(name).trim(), String(label || "")]] : [];
      this.current = null;
      this._redraw();
      this._changed();
    }

    clear() {
      this.strokes = [];
      this.current = null;
      this._redraw();
      this._changed();
    }

    setStrokes(strokes) {
      this.strokes = Array.isArray(strokes) ? strokes.filter(Array.isArray) : [];
      this._redraw();
      this._notify();
    }

    /** PNG on a white background (a transparent PNG prints as black on some viewers). */
    toDataURL() {
      if (this.isEmpty()) return "";
      if (!this.width) this.resize();
      const ratio = this.width ? this.canvas.width / this.width : 1;
      const out = document.createElement("canvas");
      out.width = this.canvas.width || 600;
      out.height = this.canvas.height || 200;
      const ctx = out.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      this._paint(ctx);
      return out.toDataURL("image/png");
    }

    _point(e) {
      const rect = this.canvas.getBoundingClientRect();
      return [Math.round((e.clientX - rect.left) * 10) / 10, Math.round((e.clientY - rect.top) * 10) / 10];
    }

    _down(e) {
      if (this.disabled || this.pointerId !== null) return;
      if (e.pointerType === "mouse" && e.button !== 0) return;
      e.preventDefault();
      if (!this.width) this.resize();
      if (this.typed()) this.strokes = [];      // drawing replaces a typed signature
      this.pointerId = e.pointerId;
      try { this.canvas.setPointerCapture(e.pointerId); } catch (err) { /* not supported */ }
      this.current = [this._point(e)];
      this.strokes.push(this.current);
      this._redraw();
    }

    _move(e) {
      if (e.pointerId !== this.pointerId || !this.current) return;
      e.preventDefault();
      const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
      for (const ev of (events.length ? events : [e])) this.current.push(this._point(ev));
      this._redraw();
    }

    _up(e) {
      if (e.pointerId !== this.pointerId) return;
      this.pointerId = null;
      if (this.current) {
        this.current = null;
        this._changed();
      }
    }

    _changed() {
      if (this.onChange) this.onChange(this.strokes);
      this._notify();
    }

    _notify() {
      this.canvas.dispatchEvent(new CustomEvent("signaturechange", {detail: {typed: this.typed()}}));
    }

    _redraw() {
      const ctx = this.canvas.getContext("2d");
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      ctx.restore();
      this._paint(ctx);
    }

    _paint(ctx) {
      ctx.lineWidth = this.lineWidth;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = this.color;
      ctx.fillStyle = this.color;
      for (const stroke of this.strokes) {
        if (!stroke.length) continue;
        if (stroke[0] === "typed") {
          this._paintTyped(ctx, String(stroke[1]), String(stroke[2] || ""));
          continue;
        }
        if (stroke.length === 1) {              // a dot
          ctx.beginPath();
          ctx.arc(stroke[0][0], stroke[0][1], this.lineWidth / 2, 0, Math.PI * 2);
          ctx.fill();
          continue;
        }
        ctx.beginPath();
        ctx.moveTo(stroke[0][0], stroke[0][1]);
        for (let i = 1; i < stroke.length; i++) ctx.lineTo(stroke[i][0], stroke[i][1]);
        ctx.stroke();
      }
    }
  }

  SignaturePad.prototype._paintTyped = function (ctx, name, label) {
    const width = this.width || 600;
    const height = this.height || 200;
    const family = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
    ctx.textBaseline = "middle";
    ctx.font = `${Math.round(height * 0.22)}px ${family}`;
    ctx.fillText(name, 16, height * 0.42, width - 32);
    ctx.font = `${Math.round(height * 0.09)}px ${family}`;
    ctx.fillText(label, 16, height * 0.78, width - 32);
  };

  function today() {
    const d = new Date();
    const two = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  }

  /** The keyboard path: a name, a confirmation box; both set, the pad holds the typed signature. */
  function wireTypedSignature(block) {
    const role = block.dataset.typedSignature;
    const canvas = document.querySelector(`canvas[data-signature="${role}"]`);
    const name = block.querySelector("[data-typed-name]");
    const confirm = block.querySelector("[data-typed-confirm]");
    if (!canvas || !name || !confirm) return;
    const apply = () => {
      const pad = canvas.signaturePad;
      if (!pad) return;
      if (confirm.checked && name.value.trim()) {
        pad.setTyped(name.value, `${block.dataset.typedLabel || ""} · ${today()}`);
      } else if (pad.typed()) {
        pad.clear();
      }
    };
    confirm.addEventListener("change", apply);
    name.addEventListener("input", () => { if (confirm.checked) apply(); });
    canvas.addEventListener("signaturechange", (e) => {
      const typed = e.detail && e.detail.typed;
      confirm.checked = Boolean(typed);
      if (typed && !name.value) name.value = typed.name;
    });
  }

  function wireAll() {
    for (const block of document.querySelectorAll("[data-typed-signature]")) wireTypedSignature(block);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireAll);
  else wireAll();

  window.SignaturePad = SignaturePad;
})();
