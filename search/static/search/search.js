/* The practice search page, enhanced (templates/search/practice_search.html). Without this
 * script the page is a plain GET form: tick filters, press "Apply filters" or "Sort".
 * With it: a filter or the sort order applies as soon as it changes; on a narrow screen the
 * filters fold behind "Filters (n)" so the results come first, and stay open (with focus back
 * on the box just ticked) across the reload a change causes. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var NARROW = window.matchMedia("(max-width: 48rem)");
  var KEY = "practicehub:search-filters";

  function remembered() {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      window.sessionStorage.removeItem(KEY);
      return value;
    } catch (error) {
      return null; // Storage refused (private mode): start folded, nothing else lost.
    }
  }

  function remember(focusId) {
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({ open: true, focus: focusId }));
    } catch (error) { /* as above */ }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.search-form");
    var filters = document.querySelector(".filters-disclosure");
    if (!form) return;
    var state = remembered();

    function fit() {
      if (filters) filters.open = !NARROW.matches || Boolean(state && state.open);
    }
    fit();
    NARROW.addEventListener("change", function () { state = null; fit(); });

    if (state && state.focus) {
      var box = document.getElementById(state.focus);
      if (box) box.focus();
    }

    form.addEventListener("change", function (event) {
      var field = event.target;
      var applies = field.type === "checkbox" || field.name === "sort";
      if (!applies) return;
      if (NARROW.matches && filters && filters.contains(field)) remember(field.id);
      else if (field.name === "sort") remember(field.id);
      form.requestSubmit();
    });

    // The filters already apply on change: the button now closes the panel and shows them.
    var apply = form.querySelector(".apply-filters");
    if (apply && filters) {
      apply.textContent = apply.dataset.showLabel;
      apply.type = "button";
      apply.addEventListener("click", function () {
        filters.open = false;
        var heading = document.getElementById("results-heading");
        if (heading) {
          heading.tabIndex = -1;
          heading.focus();
        }
      });
    }
  });
})();
