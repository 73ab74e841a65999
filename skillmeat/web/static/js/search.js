// The search results page: the query and filters live in the URL; facets narrow by type and
// source; each hit says where it matched and, for copies, which other sources hold it.

import { api, entryPath } from "./api.js";
import { $, h, plural } from "./dom.js";
import { entryHref, hitSummary, searchApi, searchable, snippet } from "./searching.js";
import { typeLabel } from "./vocabulary.js";

const form = $("#search-form");
const q = $("#search-q");
const group = $("#search-group");
const excluded = $("#search-excluded");
const list = $("#result-list");
const more = $("#results-more");
const status = $("#results-status");
let cursor = null;

function view() {
  const params = new URLSearchParams(window.location.search);
  return { q: params.get("q") || "", types: params.getAll("type"),
    sources: params.getAll("source"), group: params.get("group") === "1",
    excluded: params.get("excluded") === "1" };
}

function go(next) {
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  next.types.forEach((t) => params.append("type", t));
  next.sources.forEach((s) => params.append("source", s));
  if (next.group) params.set("group", "1");
  if (next.excluded) params.set("excluded", "1");
  window.history.pushState(null, "", `/search?${params}`);
  load();
}

function toggle(values, value, on) {
  return on ? [...new Set([...values, value])] : values.filter((v) => v !== value);
}

function facetBox(label, count, checked, onChange) {
  const box = h("input", { type: "checkbox", onchange: () => onChange(box.checked) });
  box.checked = checked;
  return h("label", { class: "check facet" }, box, ` ${label} `, h("span", { class: "muted" },
    String(count)));
}

function facets(v, page) {
  const f = page.facets;
  $("#facet-types").replaceChildren(...Object.entries(f.by_type).map(([type, n]) =>
    facetBox(typeLabel(type, true), n, v.types.includes(type),
      (on) => go({ ...v, types: toggle(v.types, type, on) }))));
  $("#facet-sources").replaceChildren(...f.by_source.map((s) =>
    facetBox(s.repo_name, s.count, v.sources.includes(s.source_id),
      (on) => go({ ...v, sources: toggle(v.sources, s.source_id, on) }))));
  $("#facet-note").hidden = !f.capped;
  $("#facet-note").textContent = "Counted over the first 1,000 hits: at least these many.";
}

async function copies(hit, button) {
  button.disabled = true;
  try {
    const detail = await api("GET", entryPath(hit.entry.source_id, hit.entry.id));
    button.replaceWith(h("ul", { class: "copies", "aria-label": `Copies of ${hit.entry.name}` },
      detail.copies.map((c) => h("li", {}, h("a", { href: entryHref({ source_id: c.source_id,
        id: c.entry_id }) }, c.repo_url), " ", h("span", { class: "mono muted" }, c.path)))));
  } catch (error) {
    button.disabled = false;
    status.textContent = error.message;
  }
}

function result(hit) {
  const also = hit.also_in > 0 && h("button", { type: "button", class: "link-button",
    "aria-expanded": "false" }, `Show the ${plural(hit.also_in, "other source")}`);
  if (also) also.addEventListener("click", () => copies(hit, also));
  return h("li", { class: "card result" },
    h("h3", { class: "card-title" }, h("a", { href: entryHref(hit.entry) }, hit.entry.name)),
    hitSummary(hit),
    h("p", { class: "match" }, h("span", { class: "muted" }, `${hit.matched_in}: `),
      snippet(hit)),
    h("p", { class: "mono path" }, hit.entry.path),
    also);
}

async function load(append = false) {
  const v = view();
  if (!append) {
    q.value = v.q;
    group.checked = v.group;
    excluded.checked = v.excluded;
    list.replaceChildren();
    cursor = null;
  }
  $("#search-error").hidden = true;
  if (!searchable(v.q.trim())) {
    status.textContent = v.q ? "Type a word with letters or digits (up to 8 words)." :
      "Type what you are looking for.";
    more.hidden = true;
    return;
  }
  list.setAttribute("aria-busy", "true");
  try {
    const page = await searchApi({ q: v.q, artifact_type: v.types, source_id: v.sources,
      group: v.group || null, include_excluded: v.excluded || null, cursor, limit: 20,
      facets: append ? false : null });
    list.append(...page.items.map(result));
    cursor = page.page_info.next_cursor;
    more.hidden = !cursor;
    if (page.facets) facets(v, page);
    const shown = list.children.length;
    status.textContent = shown ? `${plural(shown, "result")}${cursor ? " so far" : ""}` :
      "No matches.";
  } catch (error) {
    $("#search-error").textContent = error.message;
    $("#search-error").hidden = false;
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  go({ ...view(), q: q.value.trim() });
});
group.addEventListener("change", () => go({ ...view(), group: group.checked }));
excluded.addEventListener("change", () => go({ ...view(), excluded: excluded.checked }));
more.addEventListener("click", () => load(true));
window.addEventListener("popstate", () => load());
load();
