/* Signature pad: draw with a finger, stylus or mouse on a <canvas>; export a PNG data URL.
 *
 * Plain ES2020, no dependencies. Strokes are kept as points in CSS pixels so the drawing
 * survives a resize (the canvas is sized when its step becomes visible) and can be stored
 * and restored (the form keeps them in IndexedDB so a reload does not lose a signature).
 *
 *   const pad = new SignaturePad(canvas, {onChange(strokes) {...}});
 *   pad.isEmpty(); pad.clear(); pad.toDataURL(); pad.setStrokes(strokes); pad.resize();
 *   pad.disabled = true;
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
      return !this.strokes.some((s) => s.length > 0);
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

  window.SignaturePad = SignaturePad;
})();
