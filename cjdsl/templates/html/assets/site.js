// cjdsl journey site: persona and channel filters on a map, headers that follow the page,
// the emotion curve redrawn for the columns shown, search on the index.
// Without JavaScript the controls stay hidden and the full map shows. The words it
// writes come from the page, in the page's language: the filter count from the
// `data-text` of its output ("{shown}" is the number shown), the search count from the
// `data-texts` of its output (a JSON list: the words for each number of matches).
(function () {
  "use strict";
  function shownText(count, shown) {
    var text = count.getAttribute("data-text") || "{shown}";
    return text.split("{shown}").join(String(shown));
  }
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  // The map's stage and touchpoint headers: its box scrolls sideways, so `position:
  // sticky` cannot hold them to the window; they are moved down with the page instead.
  function stickyHead(map) {
    var head = map.tHead;
    if (!head) { return; }
    var queued = false;
    var place = function () {
      queued = false;
      var box = map.getBoundingClientRect();
      var shift = Math.max(0, Math.min(-box.top, box.height - head.offsetHeight));
      head.style.transform = shift > 0 ? "translateY(" + Math.round(shift) + "px)" : "";
    };
    var queue = function () { if (!queued) { queued = true; window.requestAnimationFrame(place); } };
    window.addEventListener("scroll", queue, { passive: true });
    window.addEventListener("resize", queue);
    queue();  // after the first layout: a page opened at an anchor starts scrolled
  }

  // The emotion curve under the columns shown: each point moved to the middle of its
  // touchpoint's column, the lines drawn through the points shown. With every column
  // shown, the curve is the one the page was built with.
  function drawCurve(map, all) {
    var svg = map.querySelector("svg[data-curve]");
    if (!svg) { return; }
    var cell = svg.parentNode;
    var width = all ? Number(svg.getAttribute("data-width")) : cell.clientWidth;
    var height = svg.getAttribute("height");
    svg.setAttribute("width", width);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    each(svg, "line.grid", function (line) { line.setAttribute("x2", width); });
    var middle = {};
    if (!all) {
      var left = svg.getBoundingClientRect().left;
      each(map, "th.tp-head[data-tp]", function (th) {
        if (th.hidden) { return; }
        var box = th.getBoundingClientRect();
        middle[th.getAttribute("data-tp")] = box.left + box.width / 2 - left;
      });
    }
    each(svg, "g.curve-line", function (line) {
      var points = [];
      each(line, "g.pt", function (pt) {
        var tp = pt.getAttribute("data-pt");
        var x = Number(pt.getAttribute("data-x"));
        var y = Number(pt.getAttribute("data-y"));
        if (all) {
          pt.removeAttribute("transform");
          pt.style.display = "";
          points.push(x + "," + y);
          return;
        }
        if (!(tp in middle)) { pt.style.display = "none"; return; }
        // The personas' markers sit a few pixels apart around the middle: that stays.
        var dx = middle[tp] - Number(pt.getAttribute("data-mid"));
        pt.style.display = "";
        pt.setAttribute("transform", "translate(" + dx.toFixed(1) + " 0)");
        points.push((x + dx).toFixed(1) + "," + y);
      });
      var poly = line.querySelector("polyline");
      if (poly) { poly.setAttribute("points", points.join(" ")); }
    });
  }

  function filters(form) {
    form.hidden = false;
    var persona = form.querySelector('[data-filter="persona"]');
    var channel = form.querySelector('[data-filter="channel"]');
    var count = form.querySelector("[data-filter-count]");
    var map = document.querySelector("table[data-map]");
    var apply = function () {
      var p = persona ? persona.value : "";
      var c = channel ? channel.value : "";
      var shown = 0, total = 0;
      each(document, "[data-tp][data-personas]", function (el) {
        var ok = (!p || (" " + el.getAttribute("data-personas") + " ").indexOf(" " + p + " ") >= 0) &&
                 (!c || el.getAttribute("data-channel") === c);
        el.hidden = !ok;
        if (el.tagName === "ARTICLE") { total += 1; if (ok) { shown += 1; } }
      });
      each(document, "[data-curve-persona]", function (el) {
        var who = el.getAttribute("data-curve-persona");
        el.style.display = (!p || !who || who === p) ? "" : "none";
      });
      if (map) {
        // A stage spans the columns of its touchpoints shown, or its one empty column.
        var columns = 0;
        each(map, "th.stage[data-stage]", function (th) {
          var id = th.getAttribute("data-stage");
          var n = map.querySelectorAll('colgroup[data-stage="' + id + '"] > col.tp-col:not([hidden])').length;
          each(map, '[data-empty-stage="' + id + '"]', function (el) { el.hidden = n > 0; });
          var span = Math.max(1, n);
          th.colSpan = span;
          each(map, 'td[data-stage="' + id + '"]', function (td) { td.colSpan = span; });
          columns += span;
        });
        each(map, 'td[data-span="all"]', function (td) { td.colSpan = columns; });
        drawCurve(map, !p && !c);
      }
      if (count) { count.textContent = shownText(count, shown); }
    };
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    // The page shows every touchpoint as built: only the count is written (a browser that
    // keeps the form's values over a reload gets them applied).
    if ((persona && persona.value) || (channel && channel.value)) {
      apply();
    } else if (count) {
      count.textContent = shownText(count, document.querySelectorAll("article.card").length);
    }
  }

  ready(function () {
    var map = document.querySelector("table[data-map]");
    var form = document.querySelector("[data-filters]");
    if (form) { filters(form); }
    if (map) { stickyHead(map); }
    // Printed, the emotion curve's table is open.
    window.addEventListener("beforeprint", function () {
      each(document, "details[data-print-open]:not([open])", function (d) { d.open = true; d.setAttribute("data-opened-for-print", ""); });
    });
    window.addEventListener("afterprint", function () {
      each(document, "details[data-opened-for-print]", function (d) { d.open = false; d.removeAttribute("data-opened-for-print"); });
    });
    var search = document.querySelector("[data-search]");
    if (search) {
      document.querySelector("[data-search-box]").hidden = false;
      var items = document.querySelectorAll("[data-search-item]");
      var out = document.querySelector("[data-search-count]");
      var counts = [];
      try { counts = JSON.parse((out && out.getAttribute("data-texts")) || "[]"); } catch (e) { counts = []; }
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        var n = 0;
        items.forEach(function (el) {
          var ok = !q || el.textContent.toLowerCase().indexOf(q) >= 0;
          el.hidden = !ok;
          if (ok) { n += 1; }
        });
        if (out) { out.textContent = q ? (typeof counts[n] === "string" ? counts[n] : String(n)) : ""; }
      });
    }
  });
})();
