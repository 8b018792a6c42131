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
  prefillSearchFromQuery(search);
});

// The header's search box sends its words as `search/?q=…`: run that search straight away, and
// leave the words in the header box too.
function prefillSearchFromQuery(searchUI) {
  var term = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (!term) return;
  searchUI.triggerSearch(term);
  var headerBox = document.querySelector(".site-search input[name=q]");
  if (headerBox) headerBox.value = term;
}
