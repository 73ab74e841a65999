// The "Rules" panel: a source's exclusion rules, adding one (after a dry-run count) and
// deleting one. Which entries a pattern matches is the API's to say, never guessed here.

import { api, sourcePath } from "./api.js";
import { $, h, plural, toast } from "./dom.js";
import { TYPES, typeLabel } from "./vocabulary.js";

export class RulesPanel {
  // `changed()` runs after a rule excluded or restored entries.
  constructor(sourceId, changed) {
    this.path = `${sourcePath(sourceId)}/exclusion-rules`;
    this.changed = changed;
    this.rules = new Map(); // id -> rule, for the Excluded section's Rule column
    this.body = $("#rules-table tbody");
    this.checked = null; // the pattern, type the preview counted
    $("#rule-type").append(...TYPES.map((t) => h("option", { value: t.key }, t.label)));
    $("#rules").addEventListener("toggle", () => { if ($("#rules").open) this.load(); });
    for (const id of ["#rule-pattern", "#rule-type"]) {
      $(id).addEventListener("input", () => this.invalidate());
    }
    $("#rule-check").addEventListener("click", () => this.check());
    $("#rule-form").addEventListener("submit", (event) => { event.preventDefault(); this.save(); });
  }

  form() {
    return { pattern: $("#rule-pattern").value.trim(), artifact_type: $("#rule-type").value || null,
      reason: $("#rule-reason").value.trim() || null };
  }

  invalidate() {
    this.checked = null;
    $("#rule-save").disabled = true;
    $("#rule-preview").textContent = "";
  }

  async check() {
    const body = this.form();
    if (!body.pattern) {
      $("#rule-preview").textContent = "Enter a pattern first.";
      return;
    }
    try {
      const dry = await api("POST", `${this.path}?dry_run=true`, body);
      const shown = dry.items.slice(0, 5).map((e) => e.path).join(", ");
      $("#rule-preview").textContent = `Would exclude ${plural(dry.would_exclude, "entry", "entries")}`
        + (shown ? `: ${shown}${dry.would_exclude > 5 ? ", …" : ""}` : ".");
      this.checked = JSON.stringify([body.pattern, body.artifact_type]);
      $("#rule-save").disabled = false;
    } catch (error) {
      $("#rule-preview").textContent = error.message;
    }
  }

  async save() {
    const body = this.form();
    if (this.checked !== JSON.stringify([body.pattern, body.artifact_type])) return;
    try {
      const rule = await api("POST", this.path, body);
      toast(`Rule ${rule.pattern} added: ${plural(rule.excluded_count, "entry", "entries")} hidden.`, "ok");
      $("#rule-form").reset();
      this.invalidate();
      await this.load();
      this.changed();
    } catch (error) {
      $("#rule-preview").textContent = error.message;
    }
  }

  async load() {
    try {
      const { items } = await api("GET", this.path);
      this.rules = new Map(items.map((r) => [r.id, r]));
      this.body.replaceChildren(...items.map((r) => this.row(r)));
      $("#rules-count").textContent = String(items.length);
      $("#rules-empty").hidden = items.length > 0;
    } catch (error) {
      toast(`Could not load the rules: ${error.message}`, "error");
    }
  }

  row(rule) {
    const button = h("button", { type: "button", class: "btn btn-small",
      "aria-label": `Delete rule ${rule.pattern}` }, "Delete");
    button.addEventListener("click", () => this.remove(rule, button));
    return h("tr", { dataset: { ruleId: rule.id } },
      h("th", { scope: "row", class: "mono" }, rule.pattern),
      h("td", {}, rule.artifact_type ? typeLabel(rule.artifact_type) : "Any"),
      h("td", {}, rule.origin === "repo" ? "Repository (.skillmeat-ignore)" : "You"),
      h("td", {}, String(rule.excluded_count)),
      h("td", { class: "reason" }, rule.reason || h("span", { class: "muted" }, "—")),
      h("td", { class: "actions" }, button));
  }

  async remove(rule, button) {
    button.disabled = true;
    try {
      const { restored } = await api("DELETE", `${this.path}/${encodeURIComponent(rule.id)}`);
      toast(`Rule ${rule.pattern} deleted: ${plural(restored, "entry", "entries")} restored.`, "ok");
      await this.load();
      this.changed();
    } catch (error) {
      button.disabled = false;
      toast(`Could not delete the rule: ${error.message}`, "error");
    }
  }
}
