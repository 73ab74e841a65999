// The sources page: one card per source, the "Add source" form, Rescan.

import { SOURCES, api, query, sourcePath } from "./api.js";
import { $, fill, h, plural, spinner, toast } from "./dom.js";
import { lastError, rescanButton, scanLine, sourceMeta, sourceTitle, typeCounts } from "./scan.js";

const list = $("#source-list");
const form = $("#add-source-form");
const fields = {
  repo_url: $("#repo-url"),
  ref: $("#repo-ref"),
  root_hint: $("#repo-root"),
};
let nextCursor = null;
let total = 0;

function sourceCard(source, status = h("div", { class: "scan-status", "aria-live": "polite" })) {
  const titleId = `source-${source.id}`;
  const card = h("article", { class: "card source-card", "aria-labelledby": titleId,
    dataset: { sourceId: source.id } });
  const refresh = async () => {
    try {
      const fresh = await api("GET", sourcePath(source.id));
      const replacement = sourceCard(fresh, status);
      card.replaceWith(replacement);
      replacement.querySelector(".rescan-slot button").focus();
    } catch (error) {
      toast(error.message, "error");
    }
  };
  fill(card,
    h("header", { class: "card-head" },
      h("h3", { id: titleId, class: "card-title" },
        h("a", { href: `/sources/${encodeURIComponent(source.id)}` }, sourceTitle(source)))),
    h("div", { class: "card-body" },
      h("p", { class: "mono url", title: source.repo_url }, source.repo_url),
      source.description && h("p", { class: "desc" }, source.description),
      sourceMeta(source),
      typeCounts(source),
      scanLine(source),
      lastError(source)),
    h("footer", { class: "card-foot" },
      h("a", { class: "btn btn-primary", href: `/sources/${encodeURIComponent(source.id)}` },
        "Browse catalog"),
      h("span", { class: "rescan-slot" }, rescanButton(source, status, refresh))),
    status,
  );
  return card;
}

function updateTotal() {
  $("#source-total").textContent = total ? `(${total}${nextCursor ? "+" : ""})` : "";
  $("#source-empty").hidden = total > 0;
}

async function loadSources() {
  list.setAttribute("aria-busy", "true");
  const more = $("#sources-more");
  more.disabled = true;
  try {
    const page = await api("GET", `${SOURCES}${query({ limit: 24, cursor: nextCursor })}`);
    list.append(...page.items.map((s) => sourceCard(s)));
    total += page.items.length;
    nextCursor = page.page_info.next_cursor;
    more.hidden = !page.page_info.has_more;
  } catch (error) {
    list.after(h("div", { class: "alert alert-error", role: "alert" },
      h("strong", {}, "Could not load sources: "), error.message));
  } finally {
    more.disabled = false;
    list.setAttribute("aria-busy", "false");
    updateTotal();
  }
}

// A /tree/<ref>/<path> URL names a ref and a subdirectory: the API reads them out of it and
// the form shows them, unless the user typed their own.
let urlAsked = 0;
let inferTimer = null;

async function inferFromUrl() {
  const asked = ++urlAsked;
  const url = fields.repo_url.value.trim();
  let found = null;
  if (url) {
    try {
      found = await api("GET", `${SOURCES}/url${query({ repo_url: url })}`);
    } catch {
      found = null; // not a repository URL (yet): nothing to infer
    }
  }
  if (asked !== urlAsked) return; // the user typed on, or submitted: a later answer decides
  for (const [input, value] of [[fields.ref, found?.ref], [fields.root_hint, found?.root_hint]]) {
    if (input.dataset.typed === "true") continue;
    input.value = value || "";
    input.dataset.inferred = String(Boolean(value));
  }
}

function clearErrors() {
  for (const input of Object.values(fields)) {
    input.removeAttribute("aria-invalid");
    const error = document.getElementById(`${input.id}-error`);
    error.hidden = true;
    error.textContent = "";
  }
  $("#add-source-error").hidden = true;
}

function showError(error) {
  // The API says which request field an error is about; others belong to the whole form.
  const name = Object.keys(fields).find((key) => error.fields[key]);
  if (!name) {
    const box = $("#add-source-error");
    box.textContent = error.message;
    box.hidden = false;
    return;
  }
  const input = fields[name];
  const box = document.getElementById(`${input.id}-error`);
  box.textContent = error.fields[name] || error.message;
  box.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearTimeout(inferTimer);
  urlAsked += 1;
  clearErrors();
  const url = fields.repo_url.value.trim();
  if (!url) {
    showError({ fields: { repo_url: "Enter the repository URL." }, message: "", status: 422 });
    return;
  }
  const scan = $("#scan-now").checked;
  const body = { repo_url: url, scan };
  if (fields.ref.value.trim()) body.ref = fields.ref.value.trim();
  if (fields.root_hint.value.trim()) body.root_hint = fields.root_hint.value.trim();
  const submit = $("#add-source-submit");
  submit.disabled = true;
  submit.replaceChildren(spinner(), scan ? " Adding and scanning…" : " Adding…");
  try {
    const source = await api("POST", SOURCES, body);
    list.prepend(sourceCard(source));
    total += 1;
    updateTotal();
    form.reset();
    for (const input of Object.values(fields)) delete input.dataset.typed;
    if (source.last_error) {
      toast(`Added ${sourceTitle(source)}, but its scan failed: ${source.last_error}`, "error");
    } else {
      const found = source.scan_status === "success"
        ? `: ${plural(source.artifact_count, "artifact")} found` : "";
      toast(`Added ${sourceTitle(source)}${found}.`, "ok");
    }
  } catch (error) {
    showError(error);
  } finally {
    submit.disabled = false;
    submit.replaceChildren("Add source");
  }
});

fields.repo_url.addEventListener("input", () => {
  clearTimeout(inferTimer);
  inferTimer = setTimeout(inferFromUrl, 150);
});
for (const input of [fields.ref, fields.root_hint]) {
  input.addEventListener("input", () => { input.dataset.typed = String(input.value !== ""); });
}
$("#sources-more").addEventListener("click", loadSources);
loadSources();
