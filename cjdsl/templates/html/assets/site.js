// cjdsl journey site: persona and channel filters on a map, search on the index.
// Without JavaScript the controls stay hidden and the full map shows.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.querySelector("[data-filters]");
    if (form) {
      form.hidden = false;
      var persona = form.querySelector('[data-filter="persona"]');
      var channel = form.querySelector('[data-filter="channel"]');
      var count = form.querySelector("[data-filter-count]");
      var apply = function () {
        var p = persona ? persona.value : "";
        var c = channel ? channel.value : "";
        var shown = 0, total = 0;
        document.querySelectorAll("[data-tp][data-personas]").forEach(function (el) {
          var ok = (!p || (" " + el.getAttribute("data-personas") + " ").indexOf(" " + p + " ") >= 0) &&
                   (!c || el.getAttribute("data-channel") === c);
          el.hidden = !ok;
          if (el.tagName === "ARTICLE") { total += 1; if (ok) { shown += 1; } }
        });
        document.querySelectorAll("[data-curve-persona]").forEach(function (el) {
          var who = el.getAttribute("data-curve-persona");
          el.style.display = (!p || !who || who === p) ? "" : "none";
        });
        if (count) { count.textContent = "Showing " + shown + " of " + total + " touchpoints"; }
      };
      form.addEventListener("change", apply);
      form.addEventListener("submit", function (e) { e.preventDefault(); });
      apply();
    }
    var search = document.querySelector("[data-search]");
    if (search) {
      document.querySelector("[data-search-box]").hidden = false;
      var items = document.querySelectorAll("[data-search-item]");
      var out = document.querySelector("[data-search-count]");
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        var n = 0;
        items.forEach(function (el) {
          var ok = !q || el.textContent.toLowerCase().indexOf(q) >= 0;
          el.hidden = !ok;
          if (ok) { n += 1; }
        });
        if (out) { out.textContent = q ? n + " match" + (n === 1 ? "" : "es") : ""; }
      });
    }
  });
})();
