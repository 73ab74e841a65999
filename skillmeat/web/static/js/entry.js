// Entry detail dialog: Overview (metadata, confidence breakdown) and Contents (files, viewer).

import { api, entryPath, sourcePath } from "./api.js";
import { confidenceBar } from "./cards.js";
import { $, fill, h, spinner, timeEl } from "./dom.js";
import { riskSection } from "./risk.js";
import { addSourceButton, memberCounts, membersSection, pluginLink } from "./plugins.js";
import { statusBadge, typeBadge, typeLabel } from "./vocabulary.js";
import { markSelected, openDialog, setupDialog, setupTabs } from "./widgets.js";

const dialog = $("#entry-dialog");
const tabs = $("#entry-tabs");
const overview = $("#entry-overview");
const contents = $("#entry-contents");
const tree = $("#file-tree");
const view = $("#file-view");
let current = null; // { entry, actions, filesLoaded }

export function formatBytes(size) {
  if (size === null || size === undefined) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

const humanize = (key) => key.replace(/[_-]+/g, " ").replace(/^./, (c) => c.toUpperCase());

function confidenceSection(entry) {
  const score = entry.confidence_score;
  const breakdown = Object.entries(entry.score_breakdown || {});
  const rows = breakdown.map(([key, value]) => {
    const points = typeof value === "number" ? value : null;
    const text = points === null ? (typeof value === "string" ? value : JSON.stringify(value))
      : `${points > 0 ? "+" : points < 0 ? "−" : ""}${Math.abs(points)}`;
    return h("tr", {}, h("th", { scope: "row" }, humanize(key)),
      h("td", { class: points !== null && points < 0 ? "points negative" : "points" }, text));
  });
  return h("section", { class: "confidence-detail", "aria-labelledby": "confidence-title" },
    h("h3", { id: "confidence-title" }, "Confidence"),
    h("p", { class: "score" }, h("strong", {}, String(score)), h("span", { class: "muted" }, " / 100")),
    confidenceBar(score, true),
    rows.length
      ? h("table", { class: "breakdown" },
        h("caption", { class: "sr-only" }, "Score breakdown"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Signal"),
          h("th", { scope: "col" }, "Points"))),
        h("tbody", {}, rows))
      : h("p", { class: "muted" }, "No score breakdown recorded."));
}

// Other sources holding the same content (same content hash), read from the entry detail.
function alsoIn(entry) {
  const slot = h("span", { class: "muted" }, "…");
  api("GET", entryPath(entry.source_id, entry.id)).then((detail) => {
    if (!detail.copies.length) {
      slot.textContent = "no other source";
      return;
    }
    slot.className = "copies-inline";
    slot.replaceChildren(...detail.copies.flatMap((c, i) => [i ? ", " : "", h("a", {
      href: `/sources/${encodeURIComponent(c.source_id)}?entry=${encodeURIComponent(c.entry_id)}`,
      title: c.path }, c.repo_url.replace(/^https?:\/\//, ""))]));
  }).catch(() => { slot.textContent = "could not be read"; });
  return slot;
}

function pluginFacts(entry) {
  const p = entry.plugin || {};
  const link = (url) => url && /^https:\/\//.test(url)
    && h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url);
  return [
    ["Members", memberCounts(entry)],
    ["Author", p.author],
    ["License", p.license],
    ["Homepage", link(p.homepage) || p.homepage],
    ["Repository", link(p.repository) || p.repository],
    ["Source", entry.remote ? h("span", {}, "Another repository: ", link(entry.upstream_url),
      p.sha || p.ref ? ` at ${p.sha || p.ref}` : "") : null],
  ];
}

function renderOverview(entry, actions) {
  const isPlugin = entry.artifact_type === "plugin";
  const facts = [
    ["Type", typeLabel(entry.artifact_type)],
    ["Status", statusBadge(entry.status)],
    ["Name", entry.name],
    ["Title", entry.title],
    ["Path", h("code", {}, entry.path)],
    ["Version", entry.detected_version],
    ["Content sha", entry.detected_sha && h("code", { title: entry.detected_sha },
      entry.detected_sha.slice(0, 12))],
    ["Also in", entry.detected_sha && alsoIn(entry)],
    ["Detected", timeEl(entry.detected_at)],
    ["Imported", entry.import_date && timeEl(entry.import_date)],
    ["Excluded", entry.excluded_at && h("span", {}, timeEl(entry.excluded_at),
      entry.excluded_reason ? ` — ${entry.excluded_reason}` : "")],
    ["Upstream", !entry.remote && entry.upstream_url && h("a", { href: entry.upstream_url,
      target: "_blank", rel: "noopener noreferrer" }, "Open the file upstream ↗")],
    ["Plugin", pluginLink(entry, (id) => actions.open(id))],
    ...(isPlugin ? pluginFacts(entry) : []),
  ].filter(([, value]) => value);
  const history = h("section", { class: "history", "aria-labelledby": "history-title" },
    h("h3", { id: "history-title" }, "Exclusion history"),
    h("p", { class: "muted" }, spinner(), " Loading…"));
  overview.replaceChildren(
    h("div", { class: "overview" },
      h("div", {},
        entry.description && h("p", { class: "entry-desc" }, entry.description),
        h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
        riskSection(entry, () => current && current.entry.id === entry.id),
        isPlugin && !entry.remote && membersSection(entry, (id, m) => actions.open(id, m)),
        history),
      confidenceSection(entry)));
  loadHistory(entry, history);
}

const ACTION_LABELS = {
  exclude: "Excluded", restore: "Restored", bulk_exclude: "Excluded with others",
  bulk_restore: "Restored with others", rule_exclude: "Excluded by a new rule",
  rule_restore: "Restored: its rule was deleted", scan_rule: "Excluded by a rule on a scan",
  import: "Excluded by an imported list",
};

// Who excluded or restored the entry, when and why: the API's audit trail, newest first.
async function loadHistory(entry, section) {
  const path = `${sourcePath(entry.source_id)}/exclusion-events?entry_id=${encodeURIComponent(entry.id)}&limit=20`;
  try {
    const { items } = await api("GET", path);
    fill(section, section.firstChild, items.length
      ? h("ol", {}, items.map((e) => h("li", {}, timeEl(e.at), ` ${ACTION_LABELS[e.action] || e.action}`,
        ` by ${e.actor}`, e.pattern && [" (", h("code", {}, e.pattern), ")"],
        e.reason && ` — ${e.reason}`)))
      : h("p", { class: "muted" }, "Never excluded."));
  } catch (error) {
    fill(section, section.firstChild, h("p", { class: "muted" }, `Could not load: ${error.message}`));
  }
}

function frontmatterValue(value, depth) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "—");
  if (Array.isArray(value)) {
    return value.map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v)))
      .join(", ");
  }
  if (typeof value === "object") {
    if (depth > 0) return JSON.stringify(value);
    return frontmatterList(value, depth + 1);
  }
  return String(value);
}

function frontmatterList(data, depth = 0) {
  return h("dl", { class: depth ? "fm fm-nested" : "fm" }, Object.entries(data).map(([key, value]) => [
    h("dt", {}, key), h("dd", {}, frontmatterValue(value, depth)),
  ]));
}

function renderFile(file) {
  const head = h("div", { class: "file-head" }, h("code", {}, file.path),
    h("span", { class: "muted" }, formatBytes(file.size)));
  if (file.binary) return [head, h("p", { class: "empty" }, "Binary file: not shown.")];
  if (file.too_large) return [head, h("p", { class: "empty" }, "This file is too large to show.")];
  const parts = [head];
  if (file.frontmatter_error) {
    parts.push(h("div", { class: "alert alert-warn", role: "note" },
      h("strong", {}, "Frontmatter could not be read. "), file.frontmatter_error,
      h("br"), "Showing the raw text."));
    parts.push(h("pre", { class: "file-body", tabindex: "0" }, file.content ?? ""));
    return parts;
  }
  if (file.frontmatter) {
    const fields = Object.keys(file.frontmatter).length;
    parts.push(h("details", { class: "frontmatter", open: true },
      h("summary", {}, "Frontmatter", h("span", { class: "muted" }, ` ${fields} ${fields === 1 ? "field" : "fields"}`)),
      frontmatterList(file.frontmatter)));
  }
  // The blank lines between the frontmatter and the text are not content.
  const text = file.frontmatter ? (file.body ?? "").replace(/^\s*\n/, "") : (file.content ?? "");
  parts.push(h("pre", { class: "file-body", tabindex: "0", "aria-label": `Contents of ${file.path}` }, text));
  return parts;
}

async function showFile(entry, path, button) {
  for (const b of tree.querySelectorAll("button[aria-current]")) b.removeAttribute("aria-current");
  if (button) button.setAttribute("aria-current", "true");
  view.replaceChildren(h("p", { class: "muted loading" }, spinner(), ` Loading ${path}…`));
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  try {
    const file = await api("GET", `${entryPath(entry.source_id, entry.id)}/files/${encoded}`);
    if (current && current.entry.id === entry.id) fill(view, renderFile(file));
  } catch (error) {
    view.replaceChildren(h("div", { class: "alert alert-error", role: "alert" },
      h("strong", {}, "Could not open the file: "), error.message));
  }
}

function buildTree(files) {
  const root = { dirs: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split("/");
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      if (!node.dirs.has(dir)) node.dirs.set(dir, { dirs: new Map(), files: [] });
      node = node.dirs.get(dir);
    }
    node.files.push({ ...file, leaf: parts[parts.length - 1] });
  }
  return root;
}

function treeItems(node, entry) {
  const items = [];
  for (const [name, child] of [...node.dirs].sort(([a], [b]) => a.localeCompare(b))) {
    items.push(h("li", { class: "dir" }, h("span", { class: "dir-name" }, `${name}/`),
      h("ul", {}, treeItems(child, entry))));
  }
  for (const file of node.files.sort((a, b) => a.leaf.localeCompare(b.leaf))) {
    const button = h("button", { type: "button", class: "file", title: file.problem || file.path,
      disabled: Boolean(file.problem), dataset: { path: file.path } },
    h("span", { class: "file-name" }, file.leaf), h("span", { class: "muted" }, formatBytes(file.size)));
    button.addEventListener("click", () => showFile(entry, file.path, button));
    items.push(h("li", {}, button));
  }
  return items;
}

// The API pages a big artifact's files; the tree shows what has been loaded and offers the rest.
function renderTree(entry, listing, files) {
  const items = treeItems(buildTree(files), entry);
  if (listing.problem) {
    items.unshift(h("li", { class: "muted", role: "note" }, `Not importable: it ${listing.problem}.`));
  }
  if (listing.page_info.has_more) {
    const more = h("button", { type: "button", class: "btn btn-quiet" },
      `Show more files (${files.length} of ${listing.file_count} shown)`);
    more.addEventListener("click", async () => {
      more.disabled = true;
      try {
        const cursor = encodeURIComponent(listing.page_info.next_cursor);
        const next = await api("GET", `${entryPath(entry.source_id, entry.id)}/files?cursor=${cursor}`);
        if (current && current.entry.id === entry.id) renderTree(entry, next, files.concat(next.files));
      } catch (error) {
        more.disabled = false;
        more.after(h("span", { class: "muted", role: "alert" }, ` ${error.message}`));
      }
    });
    items.push(h("li", {}, more));
  }
  tree.replaceChildren(...items);
}

async function loadContents(entry) {
  current.filesLoaded = true;
  tree.replaceChildren(h("li", { class: "muted" }, spinner(), " Loading files…"));
  view.replaceChildren();
  try {
    const listing = await api("GET", `${entryPath(entry.source_id, entry.id)}/files`);
    const files = listing.files || [];
    if (!files.length) {
      tree.replaceChildren(h("li", { class: "muted" }, "No files."));
      return;
    }
    renderTree(entry, listing, files);
    // The API names the file that describes the entry (the one `skillmeat catalog show` shows).
    const main = listing.main_file;
    if (main) {
      const button = [...tree.querySelectorAll("button.file")].find((b) => b.dataset.path === main);
      await showFile(entry, main, button);
    } else {
      view.replaceChildren(h("p", { class: "muted" }, "Choose a file to see its contents."));
    }
  } catch (error) {
    current.filesLoaded = false;
    tree.replaceChildren();
    view.replaceChildren(h("div", { class: "alert alert-error", role: "alert" },
      h("strong", {}, "Could not list the files: "), error.message));
  }
}

function selectTab(tab) {
  markSelected(tabs, tab);
  const showContents = tab.id === "entry-tab-contents";
  overview.hidden = showContents;
  contents.hidden = !showContents;
  overview.tabIndex = showContents ? -1 : 0;
  contents.tabIndex = showContents ? 0 : -1;
  if (showContents && current && !current.filesLoaded) loadContents(current.entry);
}

function renderActions(entry, actions) {
  const foot = $("#entry-actions");
  fill(foot,
    entry.upstream_url && h("a", { class: "btn", href: entry.upstream_url, target: "_blank",
      rel: "noopener noreferrer" }, "View upstream ↗"),
    addSourceButton(entry),
    entry.status !== "excluded" && h("button", { type: "button", class: "btn btn-quiet",
      onclick: () => { dialog.close("exclude"); actions.exclude(entry); } }, "Not an artifact"),
    entry.importable && h("button", { type: "button", class: "btn btn-primary",
      onclick: () => actions.import(entry) }, "Import"));
}

let onCloseHook = null;
setupDialog(dialog, { onClose: () => { current = null; if (onCloseHook) onCloseHook(); } });
setupTabs(tabs, selectTab);

// Opens the dialog; `actions` has exclude(entry), import(entry) and open(id, entry);
// `onClose` runs after.
export function openEntry(entry, actions, onClose, tab = "overview") {
  current = { entry, actions, filesLoaded: false };
  onCloseHook = onClose;
  $("#entry-title").textContent = entry.name;
  $("#entry-path").textContent = entry.path;
  $("#entry-badges").replaceChildren(typeBadge(entry.artifact_type), statusBadge(entry.status));
  renderOverview(entry, actions);
  tree.replaceChildren();
  view.replaceChildren();
  renderActions(entry, actions);
  const target = tab === "contents" ? $("#entry-tab-contents") : $("#entry-tab-overview");
  selectTab(target);
  if (!dialog.open) openDialog(dialog, target);
}

export function updateEntry(entry) {
  if (current && current.entry.id === entry.id) {
    current.entry = entry;
    $("#entry-badges").replaceChildren(typeBadge(entry.artifact_type), statusBadge(entry.status));
    renderOverview(entry, current.actions);
    renderActions(entry, current.actions);
  }
}
