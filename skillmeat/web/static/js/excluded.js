// "Excluded artifacts (N)": a collapsible table of hidden entries, each with Restore.

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
  $("#exclude-text").textContent = `This will hide ${entry.name} from the catalog. `
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
  constructor(sourceId, restore) {
    this.sourceId = sourceId;
    this.restoreEntry = restore;
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
      this.body.replaceChildren(h("tr", {}, h("td", { colspan: "5", class: "muted" },
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

  row(entry) {
    const button = h("button", { type: "button", class: "btn btn-small",
      "aria-label": `Restore ${entry.name}` }, "Restore");
    const tr = h("tr", { dataset: { entryId: entry.id } },
      h("th", { scope: "row" }, entry.name),
      h("td", { class: "mono path" }, entry.path),
      h("td", { class: "nowrap" }, timeEl(entry.excluded_at)),
      h("td", { class: "reason" }, entry.excluded_reason || h("span", { class: "muted" }, "—")),
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
