// Starts the Pagefind search box; pagefind-ui.js is written by the build's search step.
window.addEventListener("DOMContentLoaded", function () {
  new PagefindUI({ element: "#search", showSubResults: true, showImages: false });
});
