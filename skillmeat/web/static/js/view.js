// What the source page shows, kept in the URL (?type=skill&q=pdf&status=new&sort=name:asc).

import { TYPES, vocabulary } from "./vocabulary.js";

const DEFAULT_SORT = "confidence:desc";

export function readView() {
  const params = new URLSearchParams(location.search);
  const type = params.get("type") || "";
  let [sortBy, sortOrder] = (params.get("sort") || DEFAULT_SORT).split(":");
  if (!(vocabulary.sort_by || []).includes(sortBy)) sortBy = DEFAULT_SORT.split(":")[0];
  if (!(vocabulary.sort_orders || []).includes(sortOrder)) sortOrder = DEFAULT_SORT.split(":")[1];
  return {
    type: TYPES.some((t) => t.key === type) ? type : "",
    q: params.get("q") || "",
    status: params.get("status") || "",
    sortBy,
    sortOrder,
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
  if (sort !== DEFAULT_SORT) params.set("sort", sort);
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
