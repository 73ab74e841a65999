// The search field in the top bar of every page: "/" focuses it, results appear as you type
// (a combobox with a listbox of hits), Enter opens the results page.

import { $, h } from "./dom.js";
import { entryHref, hitSummary, searchApi, searchable, snippet } from "./searching.js";

const input = $("#top-q");
const list = $("#top-results");
const DEBOUNCE_MS = 180;
let timer = null;
let asked = 0;
let active = -1;

function options() {
  return [...list.querySelectorAll('[role="option"]')];
}

function close() {
  list.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

function setActive(index) {
  const all = options();
  if (!all.length) return;
  active = (index + all.length) % all.length;
  all.forEach((el, i) => el.setAttribute("aria-selected", String(i === active)));
  input.setAttribute("aria-activedescendant", all[active].id);
  all[active].scrollIntoView({ block: "nearest" });
}

function show(text, page) {
  const hits = page.items.map((hit, i) => h("li", { id: `top-hit-${i}`, role: "option",
    "aria-selected": "false", class: "top-hit", dataset: { href: entryHref(hit.entry) } },
  h("a", { href: entryHref(hit.entry), tabindex: "-1" }, h("strong", {}, hit.entry.name),
    hitSummary(hit), snippet(hit))));
  const all = h("li", { id: "top-hit-all", role: "option", "aria-selected": "false",
    class: "top-all", dataset: { href: `/search?q=${encodeURIComponent(text)}` } },
  h("a", { href: `/search?q=${encodeURIComponent(text)}`, tabindex: "-1" },
    page.items.length ? "See all results" : "No matches. Search anyway"));
  list.replaceChildren(...hits, all);
  list.hidden = false;
  input.setAttribute("aria-expanded", "true");
  active = -1;
}

async function ask() {
  const text = input.value;
  if (!searchable(text.trim())) {
    close();
    return;
  }
  const mine = ++asked;
  try {
    const page = await searchApi({ q: text, limit: 6, facets: false });
    if (mine === asked && document.activeElement === input) show(text.trim(), page);
  } catch {
    if (mine === asked) close();
  }
}

input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(ask, DEBOUNCE_MS);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    if (list.hidden) return;
    event.preventDefault();
    setActive(active + (event.key === "ArrowDown" ? 1 : -1));
  } else if (event.key === "Escape") {
    close();
  } else if (event.key === "Enter" && active >= 0) {
    event.preventDefault();
    window.location.assign(options()[active].dataset.href);
  }
});

input.form.addEventListener("submit", (event) => {
  if (!searchable(input.value.trim())) event.preventDefault();
});
input.addEventListener("blur", () => setTimeout(close, 150));

document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable
      || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  if (document.querySelector("dialog[open]")) return;
  event.preventDefault();
  input.focus();
  input.select();
});
