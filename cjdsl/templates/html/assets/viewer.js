// cjdsl diagram viewer (journeys/ID.diagrams.html): one of the journey's diagrams at a
// time, zoomed with the buttons, the mouse wheel, a pinch or the keys + - 0 1, and moved
// by dragging or with the arrow keys.
// Each diagram stays an <img>: nothing in it runs or becomes part of the page. The
// address's fragment picks the diagram, and is only ever compared with the ids of the
// page's own diagrams (never used as a path, a URL or a selector). Without JavaScript
// every diagram shows at its own size in a box that scrolls. The zoom level's words come
// from the page: the `data-text` of its output ("{percent}" is the number).
(function () {
  "use strict";
  var STEP = 1.25;         // one press of + or -
  var MAX_SIDE = 24000;    // the zoomed image's longest side, in CSS pixels, at most
  var MAX_SCALE = 8;
  var READABLE = 0.3;      // the smallest scale a diagram starts at when it could be larger

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

  function Viewer(section) {
    var box = section.querySelector("[data-viewer-box]");
    var img = box && box.querySelector("img");
    var level = section.querySelector("[data-zoom-level]");
    var tools = section.querySelector("[data-zoom-tools]");
    var state = { scale: 1, x: 0, y: 0, width: 0, height: 0, fitted: true, ready: false };
    var pointers = {};
    var gesture = null;
    var self = { section: section, start: start, refresh: refresh, state: state };
    if (!box || !img) { return self; }
    if (tools) { tools.hidden = false; }
    var help = document.getElementById("viewer-help");
    if (help) { box.setAttribute("aria-describedby", help.id); }

    function size() { return { w: box.clientWidth, h: box.clientHeight }; }
    function fitScale() {
      var s = size();
      return Math.min(s.w / state.width, s.h / state.height);
    }
    function limits() {
      var fit = fitScale();
      return { min: Math.min(fit, 1) / 2, max: Math.max(1, Math.min(MAX_SCALE, MAX_SIDE / Math.max(state.width, state.height))) };
    }
    function place() {
      var s = size();
      var w = state.width * state.scale, h = state.height * state.scale;
      // Smaller than the box: centred; larger: no gap at either edge.
      state.x = w <= s.w ? (s.w - w) / 2 : clamp(state.x, s.w - w, 0);
      state.y = h <= s.h ? (s.h - h) / 2 : clamp(state.y, s.h - h, 0);
      img.style.width = w.toFixed(2) + "px";
      img.style.height = h.toFixed(2) + "px";
      img.style.transform = "translate(" + state.x.toFixed(2) + "px, " + state.y.toFixed(2) + "px)";
      if (level) {
        var text = level.getAttribute("data-text") || "{percent}%";
        var shown = text.split("{percent}").join(String(Math.round(state.scale * 100)));
        if (level.textContent !== shown) { level.textContent = shown; }
      }
    }
    // Scale to `scale`, keeping the point (cx, cy) of the box where it is.
    function zoomTo(scale, cx, cy) {
      if (!state.ready) { return; }
      var lim = limits();
      var next = clamp(scale, lim.min, lim.max);
      var s = size();
      if (cx === undefined) { cx = s.w / 2; cy = s.h / 2; }
      state.x = cx - (cx - state.x) * next / state.scale;
      state.y = cy - (cy - state.y) * next / state.scale;
      state.scale = next;
      state.fitted = false;
      place();
    }
    function fit() {
      if (!state.ready) { return; }
      state.scale = fitScale();
      state.fitted = true;
      place();
    }
    function moveBy(dx, dy) {
      if (!state.ready) { return; }
      state.x += dx;
      state.y += dy;
      state.fitted = false;
      place();
    }
    function point(e) {
      var r = box.getBoundingClientRect();
      return { x: e.clientX - r.left - box.clientLeft, y: e.clientY - r.top - box.clientTop };
    }

    function ready() {
      if (state.ready || !img.naturalWidth) { return; }
      state.width = img.naturalWidth;
      state.height = img.naturalHeight || img.naturalWidth;
      state.ready = true;
      // At first the whole diagram, never larger than its own size; but a long diagram
      // in a narrow box (a phone) starts at a size where its cards can be told apart,
      // at its beginning, and is moved sideways.
      var fit = fitScale();
      state.scale = Math.min(1, Math.max(fit, Math.min(READABLE, size().h / state.height)));
      state.fitted = state.scale === fit;
      place();
    }
    function start() {
      if (img.complete && img.naturalWidth) { ready(); } else { img.addEventListener("load", ready); }
    }
    function refresh() {
      if (!state.ready) { return; }
      if (state.fitted) { fit(); } else { zoomTo(state.scale); }
    }

    each(section.querySelectorAll("[data-zoom]"), function (button) {
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-zoom");
        if (what === "in") { zoomTo(state.scale * STEP); }
        else if (what === "out") { zoomTo(state.scale / STEP); }
        else if (what === "fit") { fit(); }
        else if (what === "actual") { zoomTo(1); }
      });
    });
    box.addEventListener("wheel", function (e) {
      if (!state.ready) { return; }
      e.preventDefault();
      var p = point(e);
      var unit = e.deltaMode === 1 ? 16 : (e.deltaMode === 2 ? size().h : 1);
      if (!e.ctrlKey && Math.abs(e.deltaX) > Math.abs(e.deltaY)) {  // a sideways swipe moves it
        moveBy(-e.deltaX * unit, 0);
        return;
      }
      zoomTo(state.scale * Math.exp(-clamp(e.deltaY * unit, -200, 200) * 0.002), p.x, p.y);
    }, { passive: false });
    box.addEventListener("dblclick", function (e) {
      var p = point(e);
      zoomTo(state.scale * (e.shiftKey ? 1 / 2 : 2), p.x, p.y);
    });
    box.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || !state.ready) { return; }
      var s = size();
      var step = (e.shiftKey ? 0.5 : 0.15);
      var done = true;
      switch (e.key) {
        case "+": case "=": case "Add": zoomTo(state.scale * STEP); break;
        case "-": case "_": case "Subtract": case "\u2212": zoomTo(state.scale / STEP); break;
        case "0": fit(); break;
        case "1": zoomTo(1); break;
        case "ArrowLeft": moveBy(s.w * step, 0); break;
        case "ArrowRight": moveBy(-s.w * step, 0); break;
        case "ArrowUp": moveBy(0, s.h * step); break;
        case "ArrowDown": moveBy(0, -s.h * step); break;
        default: done = false;
      }
      if (done) { e.preventDefault(); }
    });

    // Dragging with a mouse, a pen or a finger; two fingers pinch.
    function spread() {
      var ids = Object.keys(pointers);
      var a = pointers[ids[0]], b = pointers[ids[1]];
      return { d: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    }
    function begin() {
      var ids = Object.keys(pointers);
      if (ids.length === 1) {
        gesture = { kind: "drag", x: pointers[ids[0]].x, y: pointers[ids[0]].y, ox: state.x, oy: state.y };
      } else if (ids.length === 2) {
        var s = spread();
        gesture = { kind: "pinch", d: s.d, x: s.x, y: s.y, scale: state.scale, ox: state.x, oy: state.y };
      } else {
        gesture = null;
      }
    }
    box.addEventListener("pointerdown", function (e) {
      if (!state.ready || (e.pointerType === "mouse" && e.button !== 0)) { return; }
      e.preventDefault();
      if (document.activeElement !== box) { box.focus({ preventScroll: true }); }
      try { box.setPointerCapture(e.pointerId); } catch (err) { /* the pointer is gone already */ }
      pointers[e.pointerId] = point(e);
      box.classList.add("dragging");
      begin();
    });
    box.addEventListener("pointermove", function (e) {
      if (!(e.pointerId in pointers) || !gesture) { return; }
      pointers[e.pointerId] = point(e);
      if (gesture.kind === "drag") {
        var p = pointers[e.pointerId];
        state.x = gesture.ox + p.x - gesture.x;
        state.y = gesture.oy + p.y - gesture.y;
        state.fitted = false;
        place();
      } else if (gesture.kind === "pinch" && Object.keys(pointers).length === 2) {
        var s = spread();
        var lim = limits();
        var scale = clamp(gesture.scale * s.d / gesture.d, lim.min, lim.max);
        // The point under the fingers' first middle follows their middle.
        state.x = s.x - (gesture.x - gesture.ox) * scale / gesture.scale;
        state.y = s.y - (gesture.y - gesture.oy) * scale / gesture.scale;
        state.scale = scale;
        state.fitted = false;
        place();
      }
    });
    function end(e) {
      if (!(e.pointerId in pointers)) { return; }
      delete pointers[e.pointerId];
      if (!Object.keys(pointers).length) { box.classList.remove("dragging"); }
      begin();
    }
    box.addEventListener("pointerup", end);
    box.addEventListener("pointercancel", end);
    box.addEventListener("lostpointercapture", end);
    return self;
  }

  function init() {
    var sections = Array.prototype.slice.call(document.querySelectorAll("section[data-diagram]"));
    if (!sections.length) { return; }
    document.body.classList.add("viewer-on");
    var help = document.querySelector("[data-viewer-help]");
    if (help) { help.hidden = false; }
    var viewers = sections.map(Viewer);
    var links = document.querySelectorAll("a[data-diagram-link]");
    var current = null;

    // The diagram the fragment names, if it is one of the page's own; else -1.
    function chosen() {
      var name = "";
      try { name = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { name = ""; }
      for (var i = 0; i < sections.length; i++) {
        if (sections[i].id === name) { return i; }
      }
      return -1;
    }
    // The diagram the fragment names; the first at first, and the one shown when the
    // fragment names something else (the skip link's `#main`).
    function show() {
      var k = chosen();
      if (k < 0 && current) { return; }
      k = Math.max(k, 0);
      sections.forEach(function (s, i) { s.hidden = i !== k; });
      each(links, function (a) {
        if (a.getAttribute("href") === "#" + sections[k].id) { a.setAttribute("aria-current", "true"); }
        else { a.removeAttribute("aria-current"); }
      });
      current = viewers[k];
      current.start();
      current.refresh();
    }
    window.addEventListener("hashchange", show);
    var queued = false;
    window.addEventListener("resize", function () {
      if (queued) { return; }
      queued = true;
      window.requestAnimationFrame(function () { queued = false; if (current) { current.refresh(); } });
    });
    show();
  }

  if (document.readyState !== "loading") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
