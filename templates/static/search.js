// Starts the Pagefind search box; pagefind-ui.js is written by the build's search step.
window.addEventListener("DOMContentLoaded", function () {
  var searchUI = new PagefindUI({ element: "#search", showSubResults: true, showImages: false });
  prefillSearchFromQuery(searchUI);
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
