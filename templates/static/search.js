// Starts the Pagefind search box; pagefind-ui.js is written by the build's search step.
window.addEventListener("DOMContentLoaded", function () {
  var searchUI = new PagefindUI({ element: "#search", showSubResults: true, showImages: false });
  prefillSearchFromQuery(searchUI);
});

// The header's search box sends its words as `search/?q=…`: run that search straight away.
function prefillSearchFromQuery(searchUI) {
  var term = new URLSearchParams(window.location.search).get("q");
  if (term && term.trim()) searchUI.triggerSearch(term.trim());
}
