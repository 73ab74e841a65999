// Plugins on the source page: member counts, a member's link to its plugin, the plugin's
// member list, and "Add as source" for a plugin whose files are in another repository.

import { SOURCES, api, query, sourcePath } from "./api.js";
import { h, spinner, toast } from "./dom.js";
import { TYPES, typeLabel } from "./vocabulary.js";

const MEMBERS_SHOWN = 100;

// "2 Skills · 1 Command": what a plugin brings, by type, in the API's words.
export function memberCounts(entry) {
  const given = entry.member_counts || {};
  const order = [...TYPES.map((t) => t.key), ...Object.keys(given)];
  const counts = [...new Set(order)].map((type) => [type, given[type] || 0])
    .filter(([, n]) => n > 0);
  const text = counts.length
    ? counts.map(([type, n]) => `${n} ${typeLabel(type, n !== 1)}`).join(" · ")
    : "No members found";
  return h("p", { class: "member-counts", title: "Members by type" }, text);
}

export function pluginLink(entry, open) {
  if (!entry.plugin_id) return null;
  return h("p", { class: "plugin-of" }, h("span", { class: "muted" }, "Plugin: "),
    h("button", { type: "button", class: "link-button plugin-link", "aria-haspopup": "dialog",
      onclick: () => open(entry.plugin_id) }, entry.plugin_name || "plugin"));
}

// The plugin detail's member list; each member opens as any entry does.
export function membersSection(entry, open) {
  const list = h("ul", { class: "member-list", "aria-busy": "true" },
    h("li", { class: "muted" }, spinner(), " Loading members…"));
  const section = h("section", { class: "plugin-members", "aria-labelledby": "members-title" },
    h("h3", { id: "members-title" }, "Members"), list);
  const params = { plugin_id: entry.id, include_excluded: true, include_below_threshold: true,
    sort_by: "name", sort_order: "asc", limit: MEMBERS_SHOWN };
  api("GET", `${sourcePath(entry.source_id)}/artifacts${query(params)}`).then((page) => {
    list.setAttribute("aria-busy", "false");
    list.replaceChildren(...page.items.map((m) => h("li", {},
      h("span", { class: `badge type-${m.artifact_type}` }, typeLabel(m.artifact_type)), " ",
      h("button", { type: "button", class: "link-button member-open",
        onclick: () => open(m.id, m) }, m.name),
      h("span", { class: "mono muted" }, ` ${m.path}`))));
    if (!page.items.length) list.replaceChildren(h("li", { class: "muted" }, "No members."));
    if (page.page_info.has_more) {
      list.append(h("li", { class: "muted" }, `Showing the first ${MEMBERS_SHOWN}.`));
    }
  }).catch((error) => {
    list.replaceChildren(h("li", { role: "alert" }, `Could not list members: ${error.message}`));
  });
  return section;
}

// A remote plugin's repository as a new source, pinned as its marketplace pins it.
export async function addAsSource(entry) {
  const plugin = entry.plugin || {};
  try {
    const created = await api("POST", SOURCES, { repo_url: entry.upstream_url,
      ref: plugin.sha || plugin.ref || null, scan: false });
    toast(`Added ${created.repo_url} as a source.`, "ok");
    return created;
  } catch (error) {
    toast(`Could not add ${entry.upstream_url}: ${error.message}`, "error");
    return null;
  }
}

export function addSourceButton(entry, onAdded = () => {}) {
  if (!entry.remote || !entry.upstream_url) return null;
  return h("button", { type: "button", class: "btn btn-small add-source",
    "aria-label": `Add ${entry.name}'s repository as a source`,
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      const created = await addAsSource(entry);
      if (created) onAdded(created);
    } }, "Add as source");
}
