// Small DOM helpers shared by the pages: element builder, badges, times, toasts.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of present(children)) {
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const present = (children) => children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);

// replaceChildren that skips null/false, so `cond && h(...)` can be passed.
export function fill(el, ...children) {
  el.replaceChildren(...present(children));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function readBoot() {
  const el = document.getElementById("boot");
  return el ? JSON.parse(el.textContent || "{}") : {};
}

const UNITS = [
  ["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600],
  ["minute", 60], ["second", 1],
];
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "long" });

export function timeAgo(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  if (Math.abs(seconds) < 45) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

// A relative time with the exact time on hover (and for assistive technology).
export function timeEl(iso) {
  if (!iso) return h("span", { class: "muted" }, "never");
  const when = exact.format(new Date(iso));
  return h("time", { datetime: iso, title: when, "aria-label": when }, timeAgo(iso));
}

export function refreshTimes(root = document) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    el.textContent = timeAgo(el.getAttribute("datetime"));
  }
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const close = h("button", { class: "icon-btn", type: "button", "aria-label": "Dismiss" }, "×");
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("p", {}, message), close);
  const remove = () => item.remove();
  close.addEventListener("click", remove);
  box.append(item);
  if (kind !== "error") setTimeout(remove, 6000);
  return item;
}

export const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export function spinner() {
  return h("span", { class: "spinner", "aria-hidden": "true" });
}

setInterval(() => refreshTimes(), 60000);
