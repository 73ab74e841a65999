// The source page: wires the summary, filters, grid, exclusions, import and entry detail.
// Each part keeps its own state; what to show always comes from the API.

import { api, entryPath, sourcePath } from "./api.js";
import { $, plural, readBoot, toast } from "./dom.js";
import { openEntry, updateEntry } from "./entry.js";
import { ExcludedSection, confirmExclusion } from "./excluded.js";
import { Filters } from "./filters.js";
import { CatalogGrid } from "./grid.js";
import { Importer } from "./importer.js";
import { RulesPanel } from "./rules.js";
import { SourceSummary } from "./summary.js";

const boot = readBoot();
const summary = new SourceSummary(boot.source, () => {
  excluded.invalidate();
  grid.reload();
});
const filters = new Filters(() => grid.reload());
const grid = new CatalogGrid(() => summary.source, () => filters.view, {
  open: (entry) => showEntry(entry.id),
  openPlugin: (id) => openById(id),
  import: (entry) => importer.import([entry.id]),
  exclude: (entry) => askExclude(entry),
  counts: (counts) => {
    filters.tabs.update(counts.byType);
    excluded.setCount(counts.byStatus.excluded || 0);
  },
  selection: () => { importer.update(); updateBulk(); },
  clearFilters: () => filters.clear(),
});
const importer = new Importer(boot.source.id, grid, () => refreshed());

// After a change the API derives (a restore, an import): the grid, the counts and an open
// entry's detail are read again rather than guessed.
async function refreshed(highlight = null) {
  await grid.refresh(highlight);
  const current = grid.entries.get(filters.view.entry);
  if (current) updateEntry(current);
}

// ---- "Not an artifact" and restore -------------------------------------------------------------

function askExclude(entry) {
  confirmExclusion(entry, (reason, cascade) => exclude(entry, reason, cascade));
}

async function exclude(entry, reason, cascade = false) {
  const putBack = grid.remove(entry);
  try {
    await api("PATCH", `${entryPath(summary.source.id, entry.id)}/exclude`,
      { excluded: true, reason: reason || null, cascade });
    toast(`${entry.name}${cascade ? " and its members are" : " is"} hidden from the catalog.`,
      "ok");
    excluded.invalidate();
    if (cascade) await grid.refresh(); else grid.refreshCounts();
  } catch (error) {
    putBack();
    toast(`Could not hide ${entry.name}: ${error.message}`, "error");
  }
}

const rules = new RulesPanel(boot.source.id, () => {
  excluded.invalidate();
  refreshed();
});

const excluded = new ExcludedSection(boot.source.id, async (entry) => {
  // A plugin brings back the members its cascade hid (the API knows which), no others.
  const body = entry.artifact_type === "plugin" ? { cascade: true } : undefined;
  const restored = await api("DELETE", `${entryPath(summary.source.id, entry.id)}/exclude`, body);
  toast(`${restored.name} is back in the catalog.`, "ok");
  await refreshed(restored.id);
}, async (ids) => {
  const result = await api("POST", `${sourcePath(summary.source.id)}/artifacts/restore`,
    { entry_ids: ids });
  toast(`${plural(result.changed, "entry", "entries")} back in the catalog.`, "ok");
  await refreshed();
}, (ruleId) => rules.rules.get(ruleId)?.pattern || "a rule");

// ---- Several at once: "Not an artifact (N)" with one reason --------------------------------------

const bulkButton = $("#exclude-selected");

function updateBulk() {
  bulkButton.textContent = `Not an artifact (${grid.selected.size})`;
  bulkButton.disabled = grid.selected.size === 0;
}

bulkButton.addEventListener("click", () => {
  const ids = [...grid.selected];
  confirmExclusion(plural(ids.length, "entry", "entries"), async (reason) => {
    try {
      const result = await api("POST", `${sourcePath(summary.source.id)}/artifacts/exclude`,
        { entry_ids: ids, reason: reason || null });
      toast(`${plural(result.changed, "entry", "entries")} hidden from the catalog.`, "ok");
      excluded.invalidate();
      await refreshed();
    } catch (error) {
      toast(`Could not hide them: ${error.message}`, "error");
    }
  });
});

// ---- Entry detail --------------------------------------------------------------------------------

const entryActions = {
  exclude: (entry) => askExclude(grid.entries.get(entry.id) || entry),
  import: (entry) => importer.import([entry.id]),
  open: (id, entry) => openById(id, entry),
};

// An entry that may not be on the grid (a member's plugin, a plugin's member): asked for.
async function openById(id, known = null) {
  let entry = grid.entries.get(id) || known;
  try {
    entry = entry || await api("GET", entryPath(summary.source.id, id));
  } catch (error) {
    toast(`Could not open it: ${error.message}`, "error");
    return;
  }
  showEntry(id, entry);
}

function showEntry(id, fallback = null, push = true) {
  const entry = grid.entries.get(id) || fallback;
  if (!entry) return;
  filters.showEntry(id, push);
  openEntry(entry, entryActions, () => {
    if (filters.view.entry) filters.showEntry("");
  });
}

window.addEventListener("popstate", () => {
  const { listChanged, entryChanged } = filters.fromHistory(grid.counts.byType);
  const entryDialog = $("#entry-dialog");
  if (!filters.view.entry && entryDialog.open) entryDialog.close();
  if (listChanged) grid.reload();
  const id = filters.view.entry;
  if (id && entryChanged && grid.entries.has(id)) showEntry(id, null, false);
});

// ---- Start ---------------------------------------------------------------------------------------

summary.render();
rules.load();
filters.tabs.render(grid.counts.byType, filters.view.type);
grid.load();
if (filters.view.entry) {
  if (boot.entry) showEntry(boot.entry.id, boot.entry, false);
  else {
    toast("That entry is not in this catalog any more.", "error");
    filters.showEntry("");
  }
}
