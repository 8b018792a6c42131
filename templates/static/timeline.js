// Timeline filters, in place. Without JavaScript each filter link is a plain link (to a
// filtered timeline page, an actor's events or a fact sheet's events). With it, a click shows
// only the matching entries of this page, without a reload, and puts the filter in the URL
// (?actor=lavrov), so that the filtered view can be shared, reloaded and left with Back.
(function () {
  "use strict";
  var KEYS = {
    actor: "actors",
    source: "sources",
    place: "place",
    corroboration: "corroboration",
  };

  function entries() {
    return Array.prototype.slice.call(document.querySelectorAll("article.entry[data-actors]"));
  }

  function matches(entry, key, value) {
    var words = (entry.getAttribute("data-" + KEYS[key]) || "").split(" ");
    return words.indexOf(value) !== -1;
  }

  function currentFilter() {
    var params = new URLSearchParams(window.location.search);
    for (var key in KEYS) {
      if (params.get(key)) return { key: key, value: params.get(key) };
    }
    return null;
  }

  function filterLink(filter) {
    if (!filter) return null;
    var selector = 'a[data-filter="' + filter.key + '"][data-value="' + CSS.escape(filter.value) + '"]';
    return document.querySelector(".timeline-filters " + selector);
  }

  function hideEmpty(selector, child) {
    document.querySelectorAll(selector).forEach(function (section) {
      section.hidden = !section.querySelector(child + ":not([hidden])");
    });
  }

  function apply(filter) {
    var all = entries();
    var shown = 0;
    all.forEach(function (entry) {
      entry.hidden = filter !== null && !matches(entry, filter.key, filter.value);
      if (!entry.hidden) shown += 1;
    });
    hideEmpty("section.day", "article.entry");
    hideEmpty("section.month", "section.day");
    document.querySelectorAll(".timeline-filters a[data-filter]").forEach(function (link) {
      link.removeAttribute("aria-pressed");
    });
    var link = filterLink(filter);
    if (link) link.setAttribute("aria-pressed", "true");
    status(filter, link, shown, all.length);
  }

  function status(filter, link, shown, total) {
    var box = document.querySelector(".filter-status");
    if (!box) return;
    box.textContent = "";
    if (!filter) return;
    var label = link ? link.textContent : filter.value;
    box.appendChild(
      document.createTextNode(
        "Showing " + shown + " of the " + total + " events on this page: " + label + ". "
      )
    );
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "filter-clear";
    clear.textContent = "Show all events";
    clear.addEventListener("click", function () {
      choose(null);
    });
    box.appendChild(clear);
  }

  function choose(filter) {
    var url = new URL(window.location.href);
    for (var key in KEYS) url.searchParams.delete(key);
    if (filter) url.searchParams.set(filter.key, filter.value);
    url.hash = "";
    window.history.pushState(null, "", url.toString());
    apply(filter);
  }

  function onClick(event) {
    var link = event.target.closest("a[data-filter]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (!entries().length) return; // an index page without entries: follow the link
    event.preventDefault();
    var filter = { key: link.getAttribute("data-filter"), value: link.getAttribute("data-value") };
    var active = currentFilter();
    var same = active && active.key === filter.key && active.value === filter.value;
    choose(same ? null : filter);
  }

  window.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector(".timeline-filters");
    if (!panel) return;
    panel.addEventListener("click", onClick);
    window.addEventListener("popstate", function () {
      apply(currentFilter());
    });
    if (currentFilter()) {
      panel.open = true;
      apply(currentFilter());
    }
  });
})();
