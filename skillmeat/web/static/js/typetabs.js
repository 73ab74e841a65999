// The type tabs of the source page: All, Skills, Agents, ... each with its count.

import { h } from "./dom.js";
import { TYPES } from "./vocabulary.js";
import { markSelected, setupTabs } from "./widgets.js";

const TABS = [{ key: "", plural: "All" }, ...TYPES];
const total = (byType) => TYPES.reduce((sum, t) => sum + (byType[t.key] || 0), 0);

export class TypeTabs {
  // onSelect(type) runs when another tab is chosen (click, arrows, Home, End).
  constructor(tablist, panel, onSelect) {
    this.tablist = tablist;
    this.panel = panel;
    setupTabs(tablist, (tab) => {
      if (tab.getAttribute("aria-selected") === "true") return;
      this.activate(tab);
      onSelect(tab.dataset.type || "");
    });
  }

  render(byType, type) {
    const buttons = TABS.map((t) => h("button", { type: "button", role: "tab",
      id: `tab-${t.key || "all"}`, class: "tab", "aria-controls": this.panel.id,
      dataset: { type: t.key } }, t.plural, " ", h("span", { class: "tab-count" })));
    const hadFocus = this.tablist.contains(document.activeElement);
    this.tablist.replaceChildren(...buttons);
    this.update(byType);
    const active = buttons.find((b) => b.dataset.type === type) || buttons[0];
    this.activate(active);
    if (hadFocus) active.focus();
  }

  // Zero counts stay clickable, only greyed.
  update(byType) {
    for (const tab of this.tablist.querySelectorAll("[role=tab]")) {
      const n = tab.dataset.type ? byType[tab.dataset.type] || 0 : total(byType);
      tab.querySelector(".tab-count").textContent = `(${n})`;
      tab.classList.toggle("is-empty", n === 0);
    }
  }

  activate(tab) {
    markSelected(this.tablist, tab);
    this.panel.setAttribute("aria-labelledby", tab.id);
  }
}
