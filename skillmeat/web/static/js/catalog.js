// The source page: type tabs, filters kept in the URL, cursor-paged grid, exclusions, import.

import { api, entryPath, query, sourcePath } from "./api.js";
import { entryCard, importable } from "./cards.js";
import { $, TYPES, fill, h, plural, readBoot, spinner, toast, typeLabel } from "./dom.js";
import { openEntry, updateEntry } from "./entry.js";
import { ExcludedSection, confirmExclusion } from "./excluded.js";
import { lastError, rescanButton, scanLine, sourceMeta, sourceTitle } from "./scan.js";
import { TypeTabs } from "./typetabs.js";
import { comesBefore, inView, listParams, readView, sameList, writeView } from "./view.js";

const PAGE = 24;
const boot = readBoot();
let source = boot.source;
const grid = $("#entry-grid");
const panel = $("#catalog-panel");
const tabs = new TypeTabs($("#type-tabs"), panel, selectType);
const entries = new Map(); // id -> entry, for the cards on screen
const selected = new Set();
const scanStatus = h("div", { class: "scan-status", "aria-live": "polite" });
let state = readView();
let cursor = null;
let hasMore = false;
let loading = false;
let generation = 0;
let counts = { byType: source.counts_by_type || {}, byStatus: {} };

// ---- Summary and tabs ----------------------------------------------------------------------

function renderSummary() {
  $("#crumb-name").textContent = sourceTitle(source);
  document.title = `${sourceTitle(source)} · SkillMeat Marketplace`;
  fill($("#source-summary"),
    h("div", { class: "summary-main" },
      h("div", {},
        h("h1", { id: "source-title" }, sourceTitle(source)),
        h("p", { class: "mono url", title: source.repo_url }, source.repo_url),
        source.description && h("p", { class: "desc" }, source.description),
        sourceMeta(source)),
      h("div", { class: "summary-side" }, scanLine(source),
        rescanButton(source, scanStatus, afterRescan))),
    lastError(source),
    scanStatus,
  );
}

async function afterRescan() {
  try {
    source = await api("GET", sourcePath(source.id));
    renderSummary();
    $("#source-summary .summary-side button").focus();
  } catch (error) {
    toast(error.message, "error");
  }
  excluded.invalidate();
  reload();
}

function showCounts() {
  tabs.update(counts.byType);
  excluded.setCount(counts.byStatus.excluded || 0);
}

function setCounts(page) {
  counts = { byType: page.counts_by_type, byStatus: page.counts_by_status };
  showCounts();
}

// Moves one entry between count cells at once; the API's numbers replace these shortly after.
function shiftCounts(entry, from, to) {
  const byType = { ...counts.byType };
  const byStatus = { ...counts.byStatus };
  if (from === "excluded") byType[entry.artifact_type] = (byType[entry.artifact_type] || 0) + 1;
  if (to === "excluded") byType[entry.artifact_type] = Math.max(0, (byType[entry.artifact_type] || 0) - 1);
  byStatus[from] = Math.max(0, (byStatus[from] || 0) - 1);
  byStatus[to] = (byStatus[to] || 0) + 1;
  counts = { byType, byStatus };
  showCounts();
}

async function refreshCounts() {
  try {
    setCounts(await api("GET", `${sourcePath(source.id)}/artifacts${query({ limit: 1 })}`));
  } catch {
    // The grid already shows the change; stale counts fix themselves on the next load.
  }
}

// ---- Cards ---------------------------------------------------------------------------------

function card(entry) {
  return entryCard(entry, selected.has(entry.id), {
    toggle(checked) {
      if (checked) selected.add(entry.id); else selected.delete(entry.id);
      updateSelection();
    },
    open: () => showEntry(entry.id),
    import: () => importEntries([entry.id]),
    exclude: () => askExclude(entry),
  });
}

function replaceCard(entry) {
  entries.set(entry.id, entry);
  const old = grid.querySelector(`[data-entry-id="${CSS.escape(entry.id)}"]`);
  if (old) old.replaceWith(card(entry));
  updateEntry(entry);
}

// Puts an entry back among the loaded cards where the API's order would have it.
function insertCard(entry) {
  if (!inView(entry, state)) return;
  const next = [...entries.values()].find((other) => comesBefore(entry, other, state));
  if (!next && hasMore) return; // it belongs to a page not loaded yet
  entries.set(entry.id, entry);
  const el = card(entry);
  const nextEl = next && grid.querySelector(`[data-entry-id="${CSS.escape(next.id)}"]`);
  if (nextEl) nextEl.before(el); else grid.append(el);
  reorderEntries();
  el.classList.add("is-new");
  updateGridMeta();
}

function reorderEntries() {
  const order = [...grid.querySelectorAll("[data-entry-id]")].map((el) => el.dataset.entryId);
  const copy = new Map(entries);
  entries.clear();
  for (const id of order) if (copy.has(id)) entries.set(id, copy.get(id));
}

// ---- Loading -------------------------------------------------------------------------------

function listQuery(extra = {}) {
  return query({ ...listParams(state), limit: PAGE, ...extra });
}

function updateGridMeta() {
  const n = entries.size;
  const filtered = state.q || state.status;
  const total = state.type ? counts.byType[state.type] || 0
    : TYPES.reduce((sum, t) => sum + (counts.byType[t.key] || 0), 0);
  const what = state.type ? typeLabel(state.type, true).toLowerCase() : "artifacts";
  $("#result-count").textContent = !n ? ""
    : filtered ? `${n}${hasMore ? "+" : ""} ${n === 1 && !hasMore ? "match" : "matches"}`
      : `Showing ${n} of ${total} ${what}`;
  const empty = $("#grid-empty");
  empty.hidden = n > 0 || loading;
  if (!n) {
    empty.replaceChildren(filtered
      ? h("p", {}, "Nothing matches these filters. ",
        h("button", { type: "button", class: "link-button", onclick: clearFilters }, "Clear filters"))
      : h("p", {}, state.type ? `No ${what} in this source.` : "This catalog is empty."
        + (source.scan_status === "success" ? "" : " Scan the source to fill it.")));
  }
  $("#load-more").hidden = !hasMore;
  updateSelection();
}

async function loadPage() {
  if (loading) return;
  loading = true;
  const mine = generation;
  const more = $("#load-more");
  more.disabled = true;
  more.replaceChildren(spinner(), " Loading…");
  grid.setAttribute("aria-busy", "true");
  try {
    const page = await api("GET", `${sourcePath(source.id)}/artifacts${listQuery({ cursor })}`);
    if (mine !== generation) return;
    for (const entry of page.items) {
      if (entries.has(entry.id)) continue;
      entries.set(entry.id, entry);
      grid.append(card(entry));
    }
    cursor = page.page_info.next_cursor;
    hasMore = page.page_info.has_more;
    setCounts(page);
  } catch (error) {
    if (mine !== generation) return;
    hasMore = false;
    toast(`Could not load the catalog: ${error.message}`, "error");
  } finally {
    if (mine === generation) {
      loading = false;
      more.disabled = false;
      more.replaceChildren("Load more");
      grid.setAttribute("aria-busy", "false");
      updateGridMeta();
      if (hasMore) maybeLoadMore();
    }
  }
}

function reload() {
  generation += 1;
  loading = false;
  cursor = null;
  hasMore = false;
  entries.clear();
  selected.clear();
  grid.replaceChildren();
  loadPage();
}

const observer = new IntersectionObserver((items) => {
  if (items.some((i) => i.isIntersecting) && hasMore && !loading) loadPage();
}, { rootMargin: "400px" });

function maybeLoadMore() {
  // The observer fires on changes only; a short page that leaves the sentinel visible loads on.
  const box = $("#scroll-sentinel").getBoundingClientRect();
  if (box.top < window.innerHeight + 400) loadPage();
}

// ---- Filters -------------------------------------------------------------------------------

function syncControls() {
  $("#filter-q").value = state.q;
  $("#filter-status").value = state.status;
  $("#filter-sort").value = `${state.sortBy}:${state.sortOrder}`;
}

function clearFilters() {
  state = { ...state, q: "", status: "" };
  syncControls();
  writeView(state, true);
  reload();
}

function selectType(type) {
  state.type = type;
  writeView(state, true);
  reload();
}

let searchTimer = null;
$("#filter-q").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.q = event.target.value.trim();
    writeView(state);
    reload();
  }, 250);
});
$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  state.q = $("#filter-q").value.trim();
  writeView(state);
  reload();
});
$("#filter-status").addEventListener("change", (event) => {
  state.status = event.target.value;
  writeView(state, true);
  reload();
});
$("#filter-sort").addEventListener("change", (event) => {
  [state.sortBy, state.sortOrder] = event.target.value.split(":");
  writeView(state, true);
  reload();
});

// ---- Selection and import ------------------------------------------------------------------

function updateSelection() {
  for (const id of [...selected]) if (!entries.has(id)) selected.delete(id);
  const candidates = [...entries.values()].filter(importable);
  const all = $("#select-all");
  all.checked = candidates.length > 0 && candidates.every((e) => selected.has(e.id));
  all.indeterminate = selected.size > 0 && !all.checked;
  all.disabled = candidates.length === 0;
  $("#selection-count").textContent = selected.size ? `${selected.size} selected` : "";
  const button = $("#import-selected");
  button.disabled = selected.size === 0;
  button.textContent = selected.size ? `Import selected (${selected.size})` : "Import selected";
}

$("#select-all").addEventListener("change", (event) => {
  // Excluded and removed entries are never selected: an import of them would be refused.
  for (const entry of entries.values()) {
    if (event.target.checked && importable(entry)) selected.add(entry.id);
    else selected.delete(entry.id);
  }
  for (const box of grid.querySelectorAll(".select-entry")) {
    box.checked = selected.has(box.closest("[data-entry-id]").dataset.entryId);
  }
  updateSelection();
});

async function importEntries(ids) {
  const button = $("#import-selected");
  button.disabled = true;
  const strategy = $("#conflict-strategy").value;
  const progress = toast(`Importing ${plural(ids.length, "artifact")}…`);
  try {
    const result = await api("POST", `${sourcePath(source.id)}/import`,
      { entry_ids: ids, conflict_strategy: strategy });
    const items = result.items || [];
    const done = items.filter((i) => i.outcome !== "skipped");
    for (const item of done) {
      const entry = entries.get(item.entry_id);
      if (entry) replaceCard({ ...entry, status: "imported", import_date: new Date().toISOString() });
    }
    for (const id of ids) selected.delete(id);
    updateSelection();
    const skipped = items.filter((i) => i.outcome === "skipped");
    const parts = [
      done.length && `Imported ${done.map((i) => `${i.name} to ${i.path}`).join(", ")}`,
      skipped.length && `Skipped ${skipped.map((i) => i.name).join(", ")}: already in the collection`,
    ];
    const left = items.reduce((n, i) => n + i.skipped_files.length, 0);
    if (left) parts.push(`${plural(left, "file")} left out (links, submodules or unsafe names)`);
    toast(`${parts.filter(Boolean).join(". ")}.`, "ok");
    refreshCounts();
  } catch (error) {
    toast(`Import failed: ${error.message}`, "error");
  } finally {
    progress.remove();
    updateSelection();
  }
}

$("#import-selected").addEventListener("click", () => importEntries([...selected]));

// ---- "Not an artifact" ---------------------------------------------------------------------

function askExclude(entry) {
  confirmExclusion(entry, (reason) => exclude(entry, reason));
}

async function exclude(entry, reason) {
  const el = grid.querySelector(`[data-entry-id="${CSS.escape(entry.id)}"]`);
  const next = el && el.nextElementSibling;
  const focusTarget = (next || (el && el.previousElementSibling))?.querySelector(".entry-open");
  el?.remove();
  entries.delete(entry.id);
  selected.delete(entry.id);
  shiftCounts(entry, entry.status, "excluded");
  updateGridMeta();
  if (focusTarget) focusTarget.focus(); else panel.focus();
  try {
    const updated = await api("PATCH", `${entryPath(source.id, entry.id)}/exclude`,
      { excluded: true, reason: reason || null });
    toast(`${entry.name} is hidden from the catalog.`, "ok");
    excluded.added(updated);
    refreshCounts();
  } catch (error) {
    if (el) {
      entries.set(entry.id, entry);
      if (next && next.isConnected) next.before(el); else grid.append(el);
      reorderEntries();
    }
    shiftCounts(entry, "excluded", entry.status);
    updateGridMeta();
    toast(`Could not hide ${entry.name}: ${error.message}`, "error");
  }
}

// ---- Excluded list and restore -------------------------------------------------------------

const excluded = new ExcludedSection(source.id, {
  async restore(entry) {
    shiftCounts(entry, "excluded", "new");
    const updated = await api("DELETE", `${entryPath(source.id, entry.id)}/exclude`);
    insertCard(updated);
    toast(`${updated.name} is back in the catalog.`, "ok");
    refreshCounts();
    return updated;
  },
  failed(entry) {
    shiftCounts(entry, "new", "excluded");
  },
});

// ---- Entry detail --------------------------------------------------------------------------

const entryActions = {
  exclude: (entry) => askExclude(entries.get(entry.id) || entry),
  import: (entry) => importEntries([entry.id]),
};

function showEntry(id, fallback = null, push = true) {
  const entry = entries.get(id) || fallback;
  if (!entry) return;
  state.entry = id;
  writeView(state, push);
  openEntry(entry, entryActions, () => {
    if (state.entry) {
      state.entry = "";
      writeView(state);
    }
  });
}

window.addEventListener("popstate", () => {
  const old = state;
  state = readView();
  syncControls();
  const entryDialog = $("#entry-dialog");
  if (!state.entry && entryDialog.open) entryDialog.close();
  if (!sameList(old, state)) {
    tabs.render(counts.byType, state.type);
    reload();
  }
  if (state.entry && state.entry !== old.entry && entries.has(state.entry)) {
    showEntry(state.entry, null, false);
  }
});

// ---- Start ---------------------------------------------------------------------------------

renderSummary();
tabs.render(counts.byType, state.type);
syncControls();
$("#load-more").addEventListener("click", loadPage);
observer.observe($("#scroll-sentinel"));
loadPage();
if (state.entry) {
  if (boot.entry) showEntry(boot.entry.id, boot.entry, false);
  else {
    toast("That entry is not in this catalog any more.", "error");
    state.entry = "";
    writeView(state);
  }
}
