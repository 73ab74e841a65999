// One catalog card: badges, name, path, what it can run, confidence, upstream link, Import,
// "Not an artifact".

import { h } from "./dom.js";
import { addSourceButton, memberCounts, pluginLink } from "./plugins.js";
import { statusBadge, typeBadge } from "./vocabulary.js";

export function confidenceBar(score, large = false) {
  const band = score >= 80 ? "meter-high" : score >= 50 ? "meter-mid" : "meter-low";
  const bar = h("div", { class: `meter ${large ? "meter-large" : band}`, "aria-hidden": "true" },
    h("span"));
  bar.firstChild.style.width = `${Math.max(0, Math.min(100, score))}%`;
  return bar;
}

// `on` has toggle(checked), open(), import(), exclude(), openPlugin(id).
export function entryCard(entry, checked, on) {
  const nameId = `name-${entry.id}`;
  const checkbox = h("input", { type: "checkbox", class: "select-entry",
    "aria-label": `Select ${entry.name}`, disabled: !entry.importable });
  checkbox.checked = checked;
  checkbox.addEventListener("change", () => on.toggle(checkbox.checked));
  return h("article", { class: "card entry-card", "aria-labelledby": nameId,
    dataset: { entryId: entry.id, type: entry.artifact_type } },
  h("div", { class: "card-top" }, checkbox,
    h("div", { class: "badges" }, typeBadge(entry.artifact_type), statusBadge(entry.status)),
    h("span", { class: "confidence", title: `Detection confidence ${entry.confidence_score} of 100` },
      `${entry.confidence_score}%`)),
  h("h3", { class: "card-title" }, h("button", { type: "button", class: "link-button entry-open",
    id: nameId, "aria-haspopup": "dialog", onclick: on.open }, entry.name)),
  h("p", { class: "mono path", title: entry.path }, entry.path),
  entry.artifact_type === "plugin" ? memberCounts(entry) : pluginLink(entry, on.openPlugin),
  entry.description && h("p", { class: "desc clamp" }, entry.description),
  entry.risk_summary && h("p", { class: "risk-line", title: "What this can run" },
    h("span", { class: "sr-only" }, "Can run: "), entry.risk_summary),
  h("div", { class: "confidence-row" }, h("span", { class: "muted" }, "Confidence"),
    confidenceBar(entry.confidence_score)),
  h("footer", { class: "card-foot" },
    h("button", { type: "button", class: "btn btn-primary btn-small", disabled: !entry.importable,
      "aria-label": `Import ${entry.name}`, onclick: on.import }, "Import"),
    addSourceButton(entry),
    entry.upstream_url && h("a", { class: "btn btn-small", href: entry.upstream_url,
      target: "_blank", rel: "noopener noreferrer",
      "aria-label": `View ${entry.name} upstream (opens a new tab)` }, "Upstream ↗"),
    h("button", { type: "button", class: "link-button danger not-artifact",
      "aria-haspopup": "dialog", onclick: on.exclude }, "Not an artifact")));
}
