// The source page's summary: name, URL, scan settings, last scan, Rescan.

import { api, sourcePath } from "./api.js";
import { $, fill, h, toast } from "./dom.js";
import { lastError, rescanButton, scanLine, sourceMeta, sourceTitle } from "./scan.js";

export class SourceSummary {
  // `afterRescan()` runs once the source is read again after a rescan.
  constructor(source, afterRescan) {
    this.source = source;
    this.afterRescan = afterRescan;
    this.status = h("div", { class: "scan-status", "aria-live": "polite" });
  }

  render() {
    const source = this.source;
    $("#crumb-name").textContent = sourceTitle(source);
    document.title = `${sourceTitle(source)} · SkillMeat Marketplace`;
    fill($("#source-summary"),
      h("div", { class: "summary-main" },
        h("div", {},
          h("h1", { id: "source-title" }, sourceTitle(source)),
          h("p", { class: "mono url", title: source.repo_url }, source.repo_url),
          source.description && h("p", { class: "desc" }, source.description),
          sourceMeta(source)),
        h("div", { class: "summary-side" }, scanLine(source),
          rescanButton(source, this.status, () => this.rescanned()))),
      lastError(source),
      this.status,
    );
  }

  async rescanned() {
    try {
      this.source = await api("GET", sourcePath(this.source.id));
      this.render();
      $("#source-summary .summary-side button").focus();
    } catch (error) {
      toast(error.message, "error");
    }
    this.afterRescan();
  }
}
