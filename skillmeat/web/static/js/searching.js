// What the search views share: the API call, what the API would refuse, and a hit's parts.

import { api, query } from "./api.js";
import { h, plural } from "./dom.js";
import { typeBadge } from "./vocabulary.js";

export const SEARCH = "/api/v1/marketplace/search";
const WORD = /[\p{L}\p{N}]+/gu;

// The API answers 422 for these; asking anyway would only log an error.
export function searchable(text) {
  const words = text.match(WORD) || [];
  return text.length <= 200 && words.length > 0 && words.length <= 8;
}

export function searchApi(params) {
  return api("GET", `${SEARCH}${query(params)}`);
}

export function entryHref(entry) {
  return `/sources/${encodeURIComponent(entry.source_id)}?entry=${encodeURIComponent(entry.id)}`;
}

// The matched field's text with the matched words marked (text nodes only: never HTML).
export function snippet(hit) {
  return h("span", { class: "snippet" }, hit.snippet.map((part) =>
    part.hit ? h("mark", {}, part.text) : part.text));
}

export function hitSummary(hit) {
  return h("span", { class: "hit-meta" }, typeBadge(hit.entry.artifact_type),
    h("span", { class: "muted" }, hit.repo_name),
    hit.also_in > 0 && h("span", { class: "also-in" },
      `also in ${plural(hit.also_in, "source")}`));
}
