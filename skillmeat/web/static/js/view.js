// What the source page shows, kept in the URL (?type=skill&q=pdf&status=new&sort=name:asc),
// and where an entry sits in that view.

import { TYPES } from "./dom.js";

const SORTS = ["confidence", "name", "date"];

export function readView() {
  const params = new URLSearchParams(location.search);
  const type = params.get("type") || "";
  const [sortBy, sortOrder] = (params.get("sort") || "confidence:desc").split(":");
  return {
    type: TYPES.some((t) => t.key === type) ? type : "",
    q: params.get("q") || "",
    status: params.get("status") || "",
    sortBy: SORTS.includes(sortBy) ? sortBy : "confidence",
    sortOrder: sortOrder === "asc" ? "asc" : "desc",
    entry: params.get("entry") || "",
  };
}

// pushState for a deliberate change (a tab, a filter), replaceState while typing.
export function writeView(view, push = false) {
  const params = new URLSearchParams();
  if (view.type) params.set("type", view.type);
  if (view.q) params.set("q", view.q);
  if (view.status) params.set("status", view.status);
  const sort = `${view.sortBy}:${view.sortOrder}`;
  if (sort !== "confidence:desc") params.set("sort", sort);
  if (view.entry) params.set("entry", view.entry);
  const text = params.toString();
  const url = `${location.pathname}${text ? `?${text}` : ""}`;
  if (url === `${location.pathname}${location.search}`) return;
  history[push ? "pushState" : "replaceState"](null, "", url);
}

export const sameList = (a, b) => a.type === b.type && a.q === b.q && a.status === b.status
  && a.sortBy === b.sortBy && a.sortOrder === b.sortOrder;

export function listParams(view) {
  return { artifact_type: view.type, status: view.status, search: view.q,
    sort_by: view.sortBy, sort_order: view.sortOrder };
}

function sortKey(entry, view) {
  if (view.sortBy === "name") return entry.name;
  if (view.sortBy === "date") return entry.detected_at;
  return entry.confidence_score;
}

// True when the API's order (sort key, then id) puts `a` before `b`.
export function comesBefore(a, b, view) {
  const [ka, kb] = [sortKey(a, view), sortKey(b, view)];
  const order = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return view.sortOrder === "asc" ? order < 0 : order > 0;
}

export function inView(entry, view) {
  const q = view.q.toLowerCase();
  return (!view.type || entry.artifact_type === view.type)
    && (!view.status || entry.status === view.status)
    && (!q || [entry.name, entry.title, entry.path].some((v) => v && v.toLowerCase().includes(q)));
}
