// Starts the Pagefind search box; pagefind-ui.js is written by the build's search step.
// Results show their kind (fact sheet, actor, metric, disagreements) as a tag, and the
// filters (kind, actor, outlet, month published) sit beside them, the kind open.
window.addEventListener("DOMContentLoaded", function () {
  new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    openFilters: ["type"],
    sort: {},
  });
});
