// Selecting entries and importing them into the local collection.

import { api, sourcePath } from "./api.js";
import { $, plural, toast } from "./dom.js";
import { strategyOptions } from "./vocabulary.js";

export class Importer {
  // `grid` holds the entries and the selection; `imported()` runs after an import.
  constructor(sourceId, grid, imported) {
    this.sourceId = sourceId;
    this.grid = grid;
    this.imported = imported;
    this.button = $("#import-selected");
    this.all = $("#select-all");
    $("#conflict-strategy").replaceChildren(...strategyOptions());
    this.button.addEventListener("click", () => this.import([...grid.selected]));
    this.all.addEventListener("change", () => this.selectAll(this.all.checked));
  }

  candidates() {
    return [...this.grid.entries.values()].filter((entry) => entry.importable);
  }

  // Excluded and removed entries are never selected: the API would refuse the import.
  selectAll(checked) {
    for (const entry of this.grid.entries.values()) {
      if (checked && entry.importable) this.grid.selected.add(entry.id);
      else this.grid.selected.delete(entry.id);
    }
    for (const box of this.grid.el.querySelectorAll(".select-entry")) {
      box.checked = this.grid.selected.has(box.closest("[data-entry-id]").dataset.entryId);
    }
    this.update();
  }

  update() {
    const selected = this.grid.selected;
    for (const id of [...selected]) if (!this.grid.entries.has(id)) selected.delete(id);
    const candidates = this.candidates();
    this.all.checked = candidates.length > 0 && candidates.every((e) => selected.has(e.id));
    this.all.indeterminate = selected.size > 0 && !this.all.checked;
    this.all.disabled = candidates.length === 0;
    $("#selection-count").textContent = selected.size ? `${selected.size} selected` : "";
    this.button.disabled = selected.size === 0;
    this.button.textContent = selected.size ? `Import selected (${selected.size})` : "Import selected";
  }

  async import(ids) {
    this.button.disabled = true;
    const progress = toast(`Importing ${plural(ids.length, "artifact")}…`);
    try {
      const result = await api("POST", `${sourcePath(this.sourceId)}/import`,
        { entry_ids: ids, conflict_strategy: $("#conflict-strategy").value });
      for (const id of ids) this.grid.selected.delete(id);
      toast(describe(result.items || []), "ok");
      await this.imported();
    } catch (error) {
      toast(`Import failed: ${error.message}`, "error");
    } finally {
      progress.remove();
      this.update();
    }
  }
}

function describe(items) {
  const done = items.filter((i) => i.outcome !== "skipped");
  const skipped = items.filter((i) => i.outcome === "skipped");
  const parts = [
    done.length && `Imported ${done.map((i) => `${i.name} to ${i.path}`).join(", ")}`,
    skipped.length && `Skipped ${skipped.map((i) => i.name).join(", ")}: already in the collection`,
  ];
  const left = items.reduce((n, i) => n + i.skipped_files.length, 0);
  if (left) parts.push(`${plural(left, "file")} left out (links, submodules or unsafe names)`);
  // Warnings the API gives, e.g. a command that shadows a Claude Code built-in.
  for (const item of items) {
    for (const warning of item.warnings || []) parts.push(`Warning: ${item.name}: ${warning}`);
  }
  return `${parts.filter(Boolean).join(". ")}.`;
}
