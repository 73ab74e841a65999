// The Updates page: units with upstream changes and what they can run; "Review" opens the
// preview (files on the left, diff on the right, the risk difference on top) with "Update"
// and "Not now". Every fact comes from the API.

import { api } from "./api.js";
import { $, fill, h, plural, toast } from "./dom.js";
import { openDialog, setupDialog } from "./widgets.js";

const COLLECTION = "/api/v1/collection";
const dialog = $("#review-dialog");
let count = 0;
let reviewing = null;

const short = (sha) => (sha || "?").slice(0, 7);
const unitPath = (name) => `${COLLECTION}/${encodeURIComponent(name)}`;

function showCount() {
  $("#update-total").textContent = `(${count})`;
  $("#updates-empty").hidden = count > 0;
  document.title = `Updates (${count}) · SkillMeat Marketplace`;
}

function risk(item) {
  const now = h("span", { class: item.risk_changed ? null : "muted" }, item.risk_now || "nothing");
  if (!item.risk_changed) return now;
  return [now, h("div", { class: "risk-change" }, h("strong", {}, item.risk_difference.join(", ")),
    h("span", { class: "muted" }, ` (was ${item.risk_before || "nothing"})`))];
}

function row(item) {
  const review = h("button", { class: "btn btn-primary", type: "button",
    "aria-label": `Review ${item.name}` }, "Review");
  review.addEventListener("click", () => openReview(item, review));
  return h("tr", { dataset: { unit: item.name } },
    h("th", { scope: "row" }, item.name, h("div", { class: "muted" }, item.kind)),
    h("td", { class: "path" }, h("span", { class: "mono" }, item.source_url || ""),
      item.path && h("div", { class: "mono muted" }, item.path)),
    h("td", { class: "mono" }, `${short(item.commit)} → ${short(item.upstream_commit)}`),
    h("td", { class: "risk" }, risk(item)),
    h("td", { class: "actions" }, review));
}

function showFile(file, button) {
  for (const b of $("#review-files").querySelectorAll("button")) b.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  const text = file.binary
    ? `Binary file ${file.status}: ${file.old_size ?? 0} → ${file.new_size ?? 0} bytes`
    : (file.diff || "(no diff)");
  const pre = $("#review-diff");
  fill(pre, ...text.split("\n").map((line) => h("span", {
    class: line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : null }, `${line}\n`)),
  file.note && h("span", { class: "muted" }, `(${file.note})\n`));
}

async function openReview(item, opener) {
  opener.disabled = true;
  try {
    const p = await api("GET", `${unitPath(item.name)}/update-preview`);
    reviewing = item;
    $("#review-title").textContent = `Update ${p.name}`;
    $("#review-commits").textContent = `${short(p.commit)} → ${short(p.upstream_commit)} · `
      + `${p.counts.added} added, ${p.counts.removed} removed, ${p.counts.modified} modified`;
    fill($("#review-risk"), ...(p.risk_changes.length ? p.risk_changes : ["nothing"])
      .map((line) => h("li", {}, line)));
    const edits = $("#review-edits");
    edits.hidden = !p.local_edits.length;
    edits.textContent = `Edited in your collection since the import: ${p.local_edits.join(", ")}`;
    $("#review-mode-label").hidden = !p.local_edits.length;
    $("#review-mode").value = "refuse";
    const buttons = p.files.map((file) => {
      const b = h("button", { type: "button", class: `file-${file.status}` },
        h("span", { class: "badge" }, file.status), " ", file.path,
        file.local_edit && h("span", { class: "badge status-updated" }, "edited"));
      b.addEventListener("click", () => showFile(file, b));
      return b;
    });
    fill($("#review-files"), ...buttons.map((b) => h("li", {}, b)));
    fill($("#review-diff"));
    if (buttons.length) showFile(p.files[0], buttons[0]);
    openDialog(dialog, $("#review-update"));
  } catch (error) {
    toast(`Preview failed: ${error.message}`, "error");
  } finally {
    opener.disabled = false;
  }
}

async function applyUpdate() {
  const item = reviewing;
  const button = $("#review-update");
  button.disabled = true;
  try {
    const done = await api("POST", `${unitPath(item.name)}/update`,
      { on_local_edits: $("#review-mode").value });
    dialog.close("done");
    document.querySelector(`tr[data-unit="${CSS.escape(item.name)}"]`)?.remove();
    count -= 1;
    showCount();
    toast(done.backup_branch ? `${done.message}; your edits are on branch ${done.backup_branch}`
      : done.message, "ok");
  } catch (error) {
    toast(`Update failed: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

async function load() {
  const table = $("#updates");
  try {
    const found = await api("GET", `${COLLECTION}/updates`);
    count = found.count;
    fill($("#update-rows"), ...found.items.map(row));
    const note = $("#pinned-note");
    note.hidden = !found.pinned.length;
    note.textContent = `${plural(found.pinned.length, "pinned unit")} not offered: `
      + found.pinned.map((u) => `${u.name} (pinned at ${short(u.commit)})`).join(", ");
  } catch (error) {
    table.after(h("div", { class: "alert alert-error", role: "alert" },
      h("strong", {}, "Could not load updates: "), error.message));
  } finally {
    table.setAttribute("aria-busy", "false");
    showCount();
  }
}

setupDialog(dialog);
$("#review-update").addEventListener("click", applyUpdate);
load();
