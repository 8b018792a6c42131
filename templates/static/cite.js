// A "Copy" button after each citation (plain text, BibTeX, CSL-JSON). Without JavaScript,
// or without the Clipboard API, there is no button and the text stays selectable.
(() => {
  if (!navigator.clipboard) return;
  const names = { "cite-text": "plain text", "cite-bibtex": "BibTeX", "cite-csl": "CSL-JSON" };
  for (const block of document.querySelectorAll(".cite-text, .cite-bibtex, .cite-csl")) {
    const format = names[[...block.classList].find((name) => name in names)];
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cite-copy";
    button.textContent = `Copy ${format}`;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(block.textContent.trim());
        button.textContent = `Copied ${format}`;
      } catch {
        button.textContent = "Copying failed: select the text instead";
      }
    });
    block.after(button);
  }
})();
