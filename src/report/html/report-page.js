// The HTML report's only script, inlined into the page (src/report/html/report-page-assets.ts) and
// allowed by its hash in the page's Content-Security-Policy. It filters rows by toggling `hidden` and
// sorts by moving them; the rows themselves are static HTML, so 10,000 entries open fast. No journal
// text is ever inside it. It runs as a classic script, hence the function scope.
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the page inlines this as a classic script, not a module.
  "use strict";
  const table = document.getElementById("entries");
  if (!table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const stateFilter = document.getElementById("f-state");
  const textFilter = document.getElementById("f-text");
  const shown = document.getElementById("f-shown");
  const cut = document.getElementById("f-cut");
  const more = document.getElementById("f-more");
  const limit = Number(table.dataset.drawn) || Infinity;
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  let texts = null;
  let order = rows.map((_, i) => i);
  const match = new Uint8Array(rows.length).fill(1);
  let all = false;
  function draw() {
    let count = 0;
    for (const i of order) {
      const row = rows[i];
      const visible = match[i] === 1 && (all || count < limit);
      if (match[i] === 1) count += 1;
      if (row.hidden === visible) row.hidden = !visible;
    }
    shown.textContent = String(count);
    cut.hidden = all || count <= limit;
  }
  function filter() {
    const state = stateFilter.value;
    const query = textFilter.value.trim().toLowerCase();
    if (query && texts === null) texts = rows.map((row) => row.textContent.toLowerCase());
    for (let i = 0; i < rows.length; i += 1) {
      const s = rows[i].dataset.s;
      const keep =
        (state === "" || (state === "not-complete" ? s !== "COMPLETE" : s === state)) &&
        (query === "" || texts[i].includes(query));
      match[i] = keep ? 1 : 0;
    }
    draw();
  }
  let timer = 0;
  textFilter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(filter, 120);
  });
  stateFilter.addEventListener("change", filter);
  more.addEventListener("click", () => {
    all = true;
    draw();
  });
  table.tHead.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const th = button.closest("th");
    const column = th.cellIndex;
    const numeric = th.dataset.type === "num";
    const direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    for (const cell of th.parentElement.cells) cell.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
    const keys = rows.map((row) => {
      const cell = row.cells[column];
      return numeric ? Number(cell.dataset.k ?? cell.textContent) : cell.textContent;
    });
    order = rows.map((_, i) => i);
    order.sort(
      (a, b) => (numeric ? keys[a] - keys[b] : collator.compare(keys[a], keys[b])) * direction || a - b,
    );
    // Hidden first, then moved: rows that are not drawn cost the browser next to nothing to move.
    draw();
    const fragment = document.createDocumentFragment();
    for (const i of order) fragment.appendChild(rows[i]);
    table.tBodies[0].appendChild(fragment);
  });
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("state")) {
    stateFilter.value = params.get("state");
    filter();
  }
})();
