// Starts the Pagefind search box; pagefind-ui.js is written by the build's search step.
// Each result shows its kind (fact sheet, actor, metric, disagreements) among its tags; the
// filters (kind, actor, outlet, month published) sit beside the results, the kind open.
window.addEventListener("DOMContentLoaded", function () {
  var search = new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    openFilters: ["type"],
    // A fact sheet carries its whole source text: by default Pagefind would rank it below
    // a short actor page for the same words, only for being long.
    ranking: { pageLength: 0.2 },
  });
  prefillFromQuery(search);
});

// Pre-fill: a search submitted from another page arrives as search/?q=words.
function prefillFromQuery(search) {
  var term = new URLSearchParams(window.location.search).get("q");
  if (term) search.triggerSearch(term);
}
