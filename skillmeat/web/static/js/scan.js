// Source summaries and the Rescan button, shared by the sources list and the source page.

import { api, sourcePath } from "./api.js";
import { h, plural, spinner, timeEl } from "./dom.js";
import { TYPES, statusBadge, typeLabel } from "./vocabulary.js";

export function sourceTitle(source) {
  return source.owner ? `${source.owner}/${source.repo_name}` : source.repo_name;
}

export function sourceMeta(source) {
  return h("ul", { class: "chips", "aria-label": "Scan settings" },
    h("li", { class: "chip", title: "Branch, tag or commit" },
      h("span", { class: "chip-key" }, "ref"), source.ref),
    source.root_hint && h("li", { class: "chip", title: "Only this folder is scanned" },
      h("span", { class: "chip-key" }, "path"), source.root_hint),
    source.last_scanned_sha && h("li", { class: "chip", title: source.last_scanned_sha },
      h("span", { class: "chip-key" }, "commit"), source.last_scanned_sha.slice(0, 7)));
}

export function typeCounts(source) {
  const counts = source.counts_by_type || {};
  const present = TYPES.filter((t) => counts[t.key]);
  if (!present.length) {
    return h("p", { class: "muted counts-empty" },
      source.scan_status === "success" ? "No artifacts found." : "No artifacts yet.");
  }
  return h("ul", { class: "type-counts", "aria-label": "Artifacts by type" },
    present.map((t) => h("li", { class: `count type-${t.key}` },
      h("strong", {}, String(counts[t.key])), " ", typeLabel(t.key, counts[t.key] !== 1))));
}

export function scanLine(source) {
  return h("p", { class: "scan-line" }, statusBadge(source.scan_status),
    h("span", { class: "muted" }, " Last scan "), timeEl(source.last_sync_at));
}

export function lastError(source) {
  if (!source.last_error) return null;
  return h("div", { class: "alert alert-error", role: "note" },
    h("strong", {}, "Last scan failed: "), source.last_error);
}

function describe(result) {
  const commit = result.commit ? result.commit.slice(0, 7) : "unknown";
  if (result.unchanged) {
    return `No changes: commit ${commit} was already scanned.`;
  }
  const seconds = (result.duration_ms / 1000).toFixed(1);
  return `Scan complete: ${result.new_count} new, ${result.updated_count} updated, `
    + `${result.removed_count} removed · ${plural(result.artifact_count, "artifact")} `
    + `· commit ${commit} · ${seconds} s`
    + (result.imported_updates_count
      ? ` · ${plural(result.imported_updates_count, "imported entry", "imported entries")} `
        + "with updates (see Updates)" : "");
}

export function scanResult(result) {
  const box = h("div", { class: `alert ${result.complete ? "alert-ok" : "alert-warn"}` },
    h("p", {}, describe(result)));
  if (!result.complete) {
    box.append(h("p", {}, "Part of the repository could not be read, so nothing was marked removed."));
  }
  if (result.problems && result.problems.length) {
    box.append(h("ul", { class: "problems" }, result.problems.slice(0, 5).map((p) => h("li", {}, p))));
  }
  return box;
}

// A Rescan button with a progress line; `onDone(result)` runs after a scan (even a failed one).
export function rescanButton(source, status, onDone) {
  const button = h("button", { class: "btn", type: "button" }, "Rescan");
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.replaceChildren(spinner(), " Scanning…");
    const started = Date.now();
    const bar = h("div", { class: "progress", role: "progressbar",
      "aria-label": `Scanning ${sourceTitle(source)}` }, h("span"));
    const label = h("span", { class: "muted" }, "Scanning the repository…");
    status.replaceChildren(h("div", { class: "scan-progress" }, bar, label));
    status.setAttribute("aria-busy", "true");
    const tick = setInterval(() => {
      label.textContent = `Scanning the repository… ${Math.round((Date.now() - started) / 1000)} s`;
    }, 1000);
    let result = null;
    try {
      result = await api("POST", `${sourcePath(source.id)}/rescan`);
      status.replaceChildren(scanResult(result));
    } catch (error) {
      status.replaceChildren(h("div", { class: "alert alert-error", role: "alert" },
        h("strong", {}, "Rescan failed: "), error.message));
    } finally {
      clearInterval(tick);
      status.removeAttribute("aria-busy");
      button.disabled = false;
      button.replaceChildren("Rescan");
    }
    await onDone(result);
  });
  return button;
}
