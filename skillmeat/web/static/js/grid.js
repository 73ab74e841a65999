// The catalog grid: cards in the API's order, a page at a time, the selection, and the counts
// the API sent with the last page. What is shown and in which order is always the API's answer.

import { api, query, sourcePath } from "./api.js";
import { entryCard } from "./cards.js";
import { $, h, spinner, toast } from "./dom.js";
import { listParams } from "./view.js";
import { TYPES, typeLabel, vocabulary } from "./vocabulary.js";

const PAGE = 24;

export class CatalogGrid {
  // `on` has open(entry), openPlugin(id), import(entry), exclude(entry), counts(counts),
  // selection(),
  // clearFilters(); `getView()` is the view shown and `getSource()` the source.
  constructor(getSource, getView, on) {
    this.getSource = getSource;
    this.getView = getView;
    this.on = on;
    this.el = $("#entry-grid");
    this.more = $("#load-more");
    this.entries = new Map(); // id -> entry, for the cards on screen, in order
    this.selected = new Set();
    this.counts = { byType: getSource().counts_by_type || {}, byStatus: {} };
    this.cursor = null;
    this.hasMore = false;
    this.loading = false;
    this.generation = 0; // a reload makes the answers to earlier requests stale
    this.more.addEventListener("click", () => this.load());
    new IntersectionObserver((items) => {
      if (items.some((i) => i.isIntersecting) && this.hasMore && !this.loading) this.load();
    }, { rootMargin: "400px" }).observe($("#scroll-sentinel"));
  }

  path(params) {
    return `${sourcePath(this.getSource().id)}/artifacts${query(params)}`;
  }

  card(entry) {
    return entryCard(entry, this.selected.has(entry.id), {
      toggle: (checked) => {
        if (checked) this.selected.add(entry.id); else this.selected.delete(entry.id);
        this.on.selection();
      },
      open: () => this.on.open(entry),
      import: () => this.on.import(entry),
      exclude: () => this.on.exclude(entry),
      openPlugin: (id) => this.on.openPlugin(id),
    });
  }

  cardEl(id) {
    return this.el.querySelector(`[data-entry-id="${CSS.escape(id)}"]`);
  }

  setCounts(page) {
    this.counts = { byType: page.counts_by_type, byStatus: page.counts_by_status };
    this.on.counts(this.counts);
  }

  async load() {
    if (this.loading) return;
    this.loading = true;
    const mine = this.generation;
    this.more.disabled = true;
    this.more.replaceChildren(spinner(), " Loading…");
    this.el.setAttribute("aria-busy", "true");
    try {
      const page = await api("GET", this.path({ ...listParams(this.getView()), limit: PAGE,
        cursor: this.cursor }));
      if (mine !== this.generation) return;
      for (const entry of page.items) {
        if (this.entries.has(entry.id)) continue;
        this.entries.set(entry.id, entry);
        this.el.append(this.card(entry));
      }
      this.cursor = page.page_info.next_cursor;
      this.hasMore = page.page_info.has_more;
      this.setCounts(page);
    } catch (error) {
      if (mine !== this.generation) return;
      this.hasMore = false;
      toast(`Could not load the catalog: ${error.message}`, "error");
    } finally {
      if (mine === this.generation) this.settle();
    }
  }

  settle() {
    this.loading = false;
    this.more.disabled = false;
    this.more.replaceChildren("Load more");
    this.el.setAttribute("aria-busy", "false");
    this.updateMeta();
    if (this.hasMore) this.maybeLoadMore();
  }

  reload() {
    this.generation += 1;
    this.loading = false;
    this.cursor = null;
    this.hasMore = false;
    this.entries.clear();
    this.selected.clear();
    this.el.replaceChildren();
    this.load();
  }

  // Asks the API again for what is loaded (after a restore or an import changed it): the
  // entries, their order and statuses, and the counts. `highlight` marks one entry's card.
  async refresh(highlight = null) {
    this.generation += 1;
    const mine = this.generation;
    this.loading = true; // no page loads on top of the answer being gathered
    const want = Math.max(this.entries.size, PAGE);
    const items = [];
    let cursor = null;
    let page = null;
    try {
      do {
        const limit = Math.min(vocabulary.max_page || PAGE, want - items.length);
        page = await api("GET", this.path({ ...listParams(this.getView()), limit, cursor }));
        if (mine !== this.generation) return;
        items.push(...page.items);
        cursor = page.page_info.next_cursor;
      } while (page.page_info.has_more && items.length < want);
    } catch (error) {
      if (mine === this.generation) {
        this.loading = false;
        toast(`Could not refresh the catalog: ${error.message}`, "error");
      }
      return;
    }
    this.show(items, page, highlight);
  }

  show(items, page, highlight) {
    const focused = this.el.contains(document.activeElement)
      ? document.activeElement.closest("[data-entry-id]")?.dataset.entryId : null;
    this.entries = new Map(items.map((entry) => [entry.id, entry]));
    for (const id of [...this.selected]) {
      if (!this.entries.get(id)?.importable) this.selected.delete(id);
    }
    this.el.replaceChildren(...items.map((entry) => this.card(entry)));
    this.cursor = page.page_info.next_cursor;
    this.hasMore = page.page_info.has_more;
    this.setCounts(page);
    if (highlight) this.cardEl(highlight)?.classList.add("is-new");
    if (focused) this.cardEl(focused)?.querySelector(".entry-open")?.focus();
    this.settle();
  }

  async refreshCounts() {
    try {
      this.setCounts(await api("GET", this.path({ limit: 1 })));
    } catch {
      // The grid already shows the change; stale counts fix themselves on the next load.
    }
  }

  // Takes a card off the grid at once; the returned function puts it back.
  remove(entry) {
    const el = this.cardEl(entry.id);
    const next = el && el.nextElementSibling;
    const focusTarget = (next || (el && el.previousElementSibling))?.querySelector(".entry-open");
    const order = [...this.entries.keys()];
    el?.remove();
    this.entries.delete(entry.id);
    this.selected.delete(entry.id);
    this.updateMeta();
    if (focusTarget) focusTarget.focus(); else $("#catalog-panel").focus();
    return () => {
      if (!el) return;
      if (next && next.isConnected) next.before(el); else this.el.append(el);
      this.entries.set(entry.id, entry);
      this.entries = new Map(order.filter((id) => this.entries.has(id))
        .map((id) => [id, this.entries.get(id)]));
      this.updateMeta();
    };
  }

  replace(entry) {
    this.entries.set(entry.id, entry);
    this.cardEl(entry.id)?.replaceWith(this.card(entry));
  }

  maybeLoadMore() {
    // The observer fires on changes only; a short page that leaves the sentinel visible loads on.
    const box = $("#scroll-sentinel").getBoundingClientRect();
    if (box.top < window.innerHeight + 400) this.load();
  }

  updateMeta() {
    const view = this.getView();
    const n = this.entries.size;
    const filtered = view.q || view.status;
    const byType = this.counts.byType;
    const total = view.type ? byType[view.type] || 0
      : TYPES.reduce((sum, t) => sum + (byType[t.key] || 0), 0);
    const what = view.type ? typeLabel(view.type, true).toLowerCase() : "artifacts";
    $("#result-count").textContent = !n ? ""
      : filtered ? `${n}${this.hasMore ? "+" : ""} ${n === 1 && !this.hasMore ? "match" : "matches"}`
        : `Showing ${n} of ${total} ${what}`;
    const empty = $("#grid-empty");
    empty.hidden = n > 0 || this.loading;
    if (!n) {
      empty.replaceChildren(filtered
        ? h("p", {}, "Nothing matches these filters. ",
          h("button", { type: "button", class: "link-button", onclick: this.on.clearFilters },
            "Clear filters"))
        : h("p", {}, view.type ? `No ${what} in this source.` : "This catalog is empty."
          + (this.getSource().scan_status === "success" ? "" : " Scan the source to fill it.")));
    }
    this.more.hidden = !this.hasMore;
    this.on.selection();
  }
}
