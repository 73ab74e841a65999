// The catalog's toolbar (search, status, sort) and type tabs, kept in step with the URL.

import { $ } from "./dom.js";
import { TypeTabs } from "./typetabs.js";
import { readView, sameList, writeView } from "./view.js";
import { statusFilterOptions } from "./vocabulary.js";

export class Filters {
  // `changed()` runs when the list to show changed (a tab, a filter, the browser's history).
  constructor(changed) {
    this.view = readView();
    this.changed = changed;
    this.tabs = new TypeTabs($("#type-tabs"), $("#catalog-panel"), (type) => {
      this.set({ type }, true);
    });
    $("#filter-status").append(...statusFilterOptions());
    let typing = null;
    $("#filter-q").addEventListener("input", (event) => {
      clearTimeout(typing);
      typing = setTimeout(() => this.set({ q: event.target.value.trim() }), 250);
    });
    $("#filters").addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(typing);
      this.set({ q: $("#filter-q").value.trim() });
    });
    $("#filter-status").addEventListener("change", (event) => {
      this.set({ status: event.target.value }, true);
    });
    $("#filter-sort").addEventListener("change", (event) => {
      const [sortBy, sortOrder] = event.target.value.split(":");
      this.set({ sortBy, sortOrder }, true);
    });
    this.sync();
  }

  set(changes, push = false) {
    this.view = { ...this.view, ...changes };
    if (changes.q === "" && changes.status === "") this.sync();
    writeView(this.view, push);
    this.changed();
  }

  clear() {
    this.set({ q: "", status: "" }, true);
  }

  // The entry shown in the detail dialog ("" for none) is part of the URL too.
  showEntry(id, push = false) {
    this.view = { ...this.view, entry: id };
    writeView(this.view, push);
  }

  // After back or forward: true when the list itself changed.
  fromHistory(byType) {
    const old = this.view;
    this.view = readView();
    this.sync();
    const listChanged = !sameList(old, this.view);
    if (listChanged) this.tabs.render(byType, this.view.type);
    return { listChanged, entryChanged: this.view.entry !== old.entry };
  }

  sync() {
    $("#filter-q").value = this.view.q;
    $("#filter-status").value = this.view.status;
    $("#filter-sort").value = `${this.view.sortBy}:${this.view.sortOrder}`;
  }
}
