// The API's vocabulary, from the page's boot data, and how the UI labels it.
// Which types, statuses and sorts exist is the API's to say; only their labels live here.

import { h, readBoot } from "./dom.js";

export const vocabulary = readBoot().vocabulary || {};

// Display order and labels; a type the API adds later is shown by its key, last.
const TYPE_LABELS = {
  skill: ["Skill", "Skills"],
  agent: ["Agent", "Agents"],
  command: ["Command", "Commands"],
  mcp_server: ["MCP Server", "MCP Servers"],
  hook: ["Hook", "Hooks"],
  plugin: ["Plugin", "Plugins"],
};
const known = vocabulary.artifact_types || [];
export const TYPES = [
  ...Object.keys(TYPE_LABELS).filter((key) => known.includes(key)),
  ...known.filter((key) => !(key in TYPE_LABELS)),
].map((key) => ({ key, label: (TYPE_LABELS[key] || [key])[0], plural: (TYPE_LABELS[key] || [key, key])[1] }));

const STATUS_LABELS = {
  new: "New", updated: "Updated", imported: "Imported", removed: "Removed", excluded: "Excluded",
  pending: "Not scanned", scanning: "Scanning", success: "Scanned", error: "Scan failed",
};
// In the status filter: excluded entries have their own section, so they are not offered.
const FILTER_LABELS = { removed: "Removed upstream" };
const STRATEGY_LABELS = { skip: "Skip", overwrite: "Overwrite", rename: "Keep both (rename)" };

const byKey = Object.fromEntries(TYPES.map((t) => [t.key, t]));

export const typeLabel = (type, plural = false) =>
  byKey[type] ? byKey[type][plural ? "plural" : "label"] : type;

export function typeBadge(type) {
  return h("span", { class: `badge type-${type}` }, typeLabel(type));
}

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}` }, STATUS_LABELS[status] || status);
}

export function statusFilterOptions() {
  return (vocabulary.catalog_statuses || []).filter((s) => s !== "excluded")
    .map((s) => h("option", { value: s }, FILTER_LABELS[s] || STATUS_LABELS[s] || s));
}

export function strategyOptions() {
  return (vocabulary.conflict_strategies || [])
    .map((s) => h("option", { value: s }, STRATEGY_LABELS[s] || s));
}
