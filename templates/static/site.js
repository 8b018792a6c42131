// The site's small progressive enhancements; every page works without them.
//
// 1. Sortable tables and lists of claims: each header of a `table[data-sortable]` becomes a
// button that sorts the rows by that column, and `aria-sort` says which column and which way.
// Without JavaScript the table keeps its HTML order (oldest first). A cell's `data-sort` is its
// key when the shown text does not sort (dates, "hundreds of people"); numbers sort as numbers.
(function () {
  "use strict";

  function cellKey(row, column) {
    var cell = row.cells[column];
    if (!cell) return "";
    var key = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    return key.trim();
  }

  function compareKeys(a, b) {
    var numberA = Number(a);
    var numberB = Number(b);
    if (a !== "" && b !== "" && !isNaN(numberA) && !isNaN(numberB)) return numberA - numberB;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortRows(table, column, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = direction === "descending" ? -1 : 1;
    rows.sort(function (a, b) {
      // The HTML order breaks ties, so sorting is stable and reversible.
      var order = compareKeys(cellKey(a, column), cellKey(b, column));
      return order !== 0 ? sign * order : a.dataset.order - b.dataset.order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }

  function markSorted(headers, active, direction) {
    headers.forEach(function (header) {
      if (header === active) header.setAttribute("aria-sort", direction);
      else header.removeAttribute("aria-sort");
    });
  }

  function enhanceTable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, index) {
      row.dataset.order = String(index);
    });
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (header, column) {
      if (header.hasAttribute("data-nosort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      button.addEventListener("click", function () {
        var direction =
          header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortRows(table, column, direction);
        markSorted(headers, header, direction);
      });
    });
    table.classList.add("is-sortable");
  }

  document.querySelectorAll("table[data-sortable]").forEach(enhanceTable);

  // Lists of claims sort the same way, by the keys each item carries (`data-sort-as-of`,
  // `data-sort-value`), with a row of toggle buttons above the list; "page order" restores it.
  var LIST_KEYS = [
    ["", "page order"],
    ["sortAsOf", "date"],
    ["sortValue", "value"],
  ];

  function sortList(list, key) {
    var items = Array.prototype.slice.call(list.children);
    items.sort(function (a, b) {
      var order = key ? compareKeys(a.dataset[key] || "", b.dataset[key] || "") : 0;
      return order !== 0 ? order : a.dataset.order - b.dataset.order;
    });
    items.forEach(function (item) {
      list.appendChild(item);
    });
  }

  function enhanceList(list) {
    if (list.children.length < 2) return;
    Array.prototype.forEach.call(list.children, function (item, index) {
      item.dataset.order = String(index);
    });
    var controls = document.createElement("div");
    controls.className = "list-sort";
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Sort the " + list.dataset.sortableList);
    controls.appendChild(document.createTextNode("Sort by "));
    LIST_KEYS.forEach(function (pair, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = pair[1];
      button.setAttribute("aria-pressed", index === 0 ? "true" : "false");
      button.addEventListener("click", function () {
        sortList(list, pair[0]);
        controls.querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      });
      controls.appendChild(button);
    });
    list.parentNode.insertBefore(controls, list);
  }

  document.querySelectorAll("ul[data-sortable-list]").forEach(enhanceList);
})();

// 2. On a phone the main navigation is one line that scrolls sideways: bring the current page's
// link into view when it starts off the right edge.
(function () {
  "use strict";
  var current = document.querySelector(".site-nav a[aria-current=page]");
  if (!current) return;
  var list = current.closest("ul");
  var overflow = current.getBoundingClientRect().right - list.getBoundingClientRect().right;
  var fade = 48; // the width of the fade at the right edge (site.css: .site-nav::after), and some
  if (overflow > -fade) list.scrollLeft += overflow + fade;
})();
