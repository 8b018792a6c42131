// Starts the Pagefind search box; pagefind-ui.js is written by the build's search step.
// Each result shows its kind (fact sheet, actor, metric, disagreements) among its tags; the
// filters (kind, actor, outlet, month published) sit beside the results, the kind open.
// A large site is indexed in shards: pagefind/shards.json lists the bundles, relative to
// pagefind/, that are merged into the first one's results and filters.

// A fact sheet carries its whole source text: by default Pagefind would rank it below a short
// actor page for the same words, only for being long. (Each merged bundle needs it too.)
var SEARCH_RANKING = { pageLength: 0.2 };

window.addEventListener("DOMContentLoaded", function () {
  var bundleScript = document.querySelector("script[src$='pagefind-ui.js']");
  var bundleURL = new URL(".", bundleScript.src);
  fetchShards(bundleURL).then(function (shards) {
    var search = new PagefindUI({
      element: "#search",
      showSubResults: true,
      showImages: false,
      openFilters: ["type"],
      ranking: SEARCH_RANKING,
      mergeIndex: shards.map(function (folder) {
        // A path, as Pagefind gives its own bundle: it finds the site's root before "pagefind".
        return { bundlePath: new URL(folder, bundleURL).pathname, ranking: SEARCH_RANKING };
      }),
    });
    prefillSearchFromQuery(search);
  });
});

// The shards' folders; none when the list cannot be read (the first bundle still searches).
function fetchShards(bundleURL) {
  return fetch(new URL("shards.json", bundleURL))
    .then(function (response) {
      return response.ok ? response.json() : [];
    })
    .catch(function () {
      return [];
    });
}

// The header's search box sends its words as `search/?q=…`: run that search straight away, and
// leave the words in the header box too.
function prefillSearchFromQuery(searchUI) {
  var term = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (!term) return;
  searchUI.triggerSearch(term);
  var headerBox = document.querySelector(".site-search input[name=q]");
  if (headerBox) headerBox.value = term;
}
