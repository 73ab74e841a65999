// The Collection page: units with origin, imported commit and local edits; remove; and the
// two `claude plugin marketplace add` one-liners with copy buttons. The API says everything.

import { api, query } from "./api.js";
import { $, fill, h, plural, toast } from "./dom.js";

const COLLECTION = "/api/v1/collection";
const rows = $("#unit-rows");
let nextCursor = null;
let total = 0;

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // No clipboard permission (plain http on another host): select it for Ctrl+C instead.
    const range = document.createRange();
    range.selectNodeContents(button.previousElementSibling);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}

function commandLine(label, text) {
  const code = h("code", { class: "mono one-liner" }, text);
  const button = h("button", { class: "btn", type: "button", "aria-label": `Copy: ${label}` },
    "Copy");
  button.addEventListener("click", () => copy(text, button));
  return h("div", { class: "add-command" }, h("p", { class: "muted" }, label), code, button);
}

function origin(unit) {
  if (!unit.source_url) return h("span", { class: "muted" }, "unknown (migrated)");
  const repo = unit.homepage && /^https?:/.test(unit.homepage)
    ? h("a", { href: unit.homepage, rel: "noreferrer" }, unit.source_url)
    : h("span", { class: "mono", title: unit.source_url }, unit.source_url);
  return [repo, unit.path && h("div", { class: "mono muted" }, unit.path)];
}

function row(unit) {
  const remove = h("button", { class: "btn btn-danger", type: "button",
    "aria-label": `Remove ${unit.name}` }, "Remove");
  let armed = false;
  remove.addEventListener("click", async () => {
    if (!armed) {  // two steps: a removal is one click away from an accident otherwise
      armed = true;
      remove.textContent = "Confirm remove";
      return;
    }
    remove.disabled = true;
    try {
      await api("DELETE", `${COLLECTION}/${encodeURIComponent(unit.name)}`);
      tr.remove();
      total -= 1;
      updateTotal();
      toast(`Removed ${unit.name}`, "ok");
    } catch (error) {
      remove.disabled = false;
      toast(`Remove failed: ${error.message}`, "error");
    }
  });
  const edits = unit.local_edits
    ? h("span", { class: "badge status-updated", title: unit.changed_files.join("\n") },
      plural(unit.changed_files.length, "file"))
    : h("span", { class: "muted" }, "none");
  const tr = h("tr", { dataset: { unit: unit.name } },
    h("th", { scope: "row" }, unit.name, h("div", { class: "muted desc" }, unit.description)),
    h("td", {}, h("span", { class: "badge" }, unit.kind)),
    h("td", { class: "path" }, origin(unit)),
    h("td", { class: "mono", title: unit.commit || "" }, (unit.commit || "").slice(0, 12)),
    h("td", { class: "edits" }, edits),
    h("td", { class: "actions" }, remove));
  return tr;
}

function updateTotal() {
  $("#unit-total").textContent = total ? `(${total}${nextCursor ? "+" : ""})` : "";
  $("#units-empty").hidden = total > 0;
}

async function load() {
  const table = $("#units");
  table.setAttribute("aria-busy", "true");
  const more = $("#units-more");
  more.disabled = true;
  try {
    const page = await api("GET", `${COLLECTION}${query({ cursor: nextCursor })}`);
    if (!total) {
      $("#market-name").textContent = page.marketplace;
      fill($("#add-commands"),
        commandLine("On this machine", page.add_commands.local),
        commandLine("From another machine (this server)", page.add_commands.remote));
    }
    rows.append(...page.items.map(row));
    total += page.items.length;
    nextCursor = page.page_info.next_cursor;
    more.hidden = !page.page_info.has_more;
  } catch (error) {
    table.after(h("div", { class: "alert alert-error", role: "alert" },
      h("strong", {}, "Could not load the collection: "), error.message));
  } finally {
    more.disabled = false;
    table.setAttribute("aria-busy", "false");
    updateTotal();
  }
}

$("#units-more").addEventListener("click", load);
load();
