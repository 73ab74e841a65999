// "Excluded artifacts (N)": a collapsible table of hidden entries (reason and rule for each),
// each with Restore, and several restored at once.

import { api, query, sourcePath } from "./api.js";
import { $, h, spinner, timeEl, toast } from "./dom.js";
import { openDialog, setupDialog } from "./widgets.js";

const dialog = $("#exclude-dialog");
let onConfirm = null;
setupDialog(dialog, { onClose: () => { onConfirm = null; } });
$("#exclude-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const confirmed = onConfirm;
  const reason = $("#exclude-reason").value.trim();
  const cascade = !$("#exclude-cascade-field").hidden && $("#exclude-cascade").checked;
  onConfirm = null;
  dialog.close("confirm");
  if (confirmed) confirmed(reason, cascade);
});

// The "Not an artifact" confirmation; `confirmed(reason, cascade)` runs when the user
// confirms (`cascade`: a plugin's members too, offered for plugins only).
export function confirmExclusion(entry, confirmed) {
  onConfirm = confirmed;
  $("#exclude-text").textContent = `This will hide ${entry.name || entry} from the catalog. `
    + "You can restore it later from the Excluded list.";
  $("#exclude-reason").value = "";
  const members = Object.values(entry.member_counts || {}).reduce((a, b) => a + b, 0);
  $("#exclude-cascade-field").hidden = entry.artifact_type !== "plugin" || !members;
  $("#exclude-cascade").checked = true;
  $("#exclude-cascade-count").textContent = String(members);
  openDialog(dialog, $("#exclude-reason"));
}

export class ExcludedSection {
  // `restore(entry)` restores through the API; when it throws, the row comes back.
  // `restoreMany(ids)` restores several at once; `ruleOf(id)` is a rule's pattern.
  constructor(sourceId, restore, restoreMany, ruleOf) {
    this.sourceId = sourceId;
    this.restoreEntry = restore;
    this.restoreMany = restoreMany;
    this.ruleOf = ruleOf;
    this.selected = new Set();
    this.restoreButton = $("#restore-selected");
    this.restoreButton.addEventListener("click", () => this.restoreSelected());
    $("#excluded-all").addEventListener("change", (event) => {
      for (const box of this.body.querySelectorAll(".select-excluded")) {
        box.checked = event.target.checked;
        const id = box.closest("tr").dataset.entryId;
        if (box.checked) this.selected.add(id); else this.selected.delete(id);
      }
      this.updateSelection();
    });
    this.details = $("#excluded");
    this.body = $("#excluded-table tbody");
    this.more = $("#excluded-more");
    this.loaded = false;
    this.cursor = null;
    this.details.addEventListener("toggle", () => {
      if (this.details.open && !this.loaded) this.load(true);
    });
    this.more.addEventListener("click", () => this.load(false));
  }

  setCount(n) {
    $("#excluded-count").textContent = String(n);
  }

  invalidate() {
    this.loaded = false;
    if (this.details.open) this.load(true);
  }

  async load(reset) {
    if (reset) {
      this.cursor = null;
      this.selected.clear();
      this.updateSelection();
      this.body.replaceChildren(h("tr", {}, h("td", { colspan: "7", class: "muted" },
        spinner(), " Loading…")));
    }
    this.more.disabled = true;
    try {
      const page = await api("GET", `${sourcePath(this.sourceId)}/artifacts${query({
        status: "excluded", sort_by: "name", sort_order: "asc", limit: 50, cursor: this.cursor,
      })}`);
      if (reset) this.body.replaceChildren();
      this.body.append(...page.items.map((e) => this.row(e)));
      this.cursor = page.page_info.next_cursor;
      this.more.hidden = !page.page_info.has_more;
      this.loaded = true;
      this.setCount(page.counts_by_status.excluded || 0);
    } catch (error) {
      this.body.replaceChildren();
      toast(`Could not load excluded entries: ${error.message}`, "error");
    } finally {
      this.more.disabled = false;
      this.updateEmpty();
    }
  }

  updateEmpty() {
    $("#excluded-empty").hidden = this.body.children.length > 0;
  }

  updateSelection() {
    this.restoreButton.textContent = `Restore selected (${this.selected.size})`;
    this.restoreButton.disabled = this.selected.size === 0;
  }

  async restoreSelected() {
    const ids = [...this.selected];
    this.restoreButton.disabled = true;
    try {
      await this.restoreMany(ids);
      this.invalidate();
    } catch (error) {
      this.updateSelection();
      toast(`Could not restore: ${error.message}`, "error");
    }
  }

  row(entry) {
    const button = h("button", { type: "button", class: "btn btn-small",
      "aria-label": `Restore ${entry.name}` }, "Restore");
    const box = h("input", { type: "checkbox", class: "select-excluded",
      "aria-label": `Select ${entry.name} to restore` });
    box.addEventListener("change", () => {
      if (box.checked) this.selected.add(entry.id); else this.selected.delete(entry.id);
      this.updateSelection();
    });
    const rule = entry.excluded_by_rule;
    const tr = h("tr", { dataset: { entryId: entry.id } },
      h("td", {}, box),
      h("th", { scope: "row" }, entry.name),
      h("td", { class: "mono path" }, entry.path),
      h("td", { class: "nowrap" }, timeEl(entry.excluded_at)),
      h("td", { class: "reason" }, entry.excluded_reason || h("span", { class: "muted" }, "—")),
      h("td", { class: "mono rule" }, rule ? this.ruleOf(rule) : h("span", { class: "muted" },
        "by hand")),
      h("td", { class: "actions" }, button));
    button.addEventListener("click", () => this.restore(entry, tr));
    return tr;
  }

  async restore(entry, tr) {
    const next = tr.nextElementSibling;
    const focusTarget = (next || tr.previousElementSibling)?.querySelector("button");
    tr.remove();
    this.updateEmpty();
    if (focusTarget) focusTarget.focus(); else this.details.querySelector("summary").focus();
    try {
      await this.restoreEntry(entry);
    } catch (error) {
      if (next && next.isConnected) next.before(tr); else this.body.append(tr);
      this.updateEmpty();
      toast(`Could not restore ${entry.name}: ${error.message}`, "error");
    }
  }
}
