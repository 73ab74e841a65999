// Accessible widgets: modal dialogs with a focus trap, and tab lists driven by arrow keys.

const FOCUSABLE = [
  "a[href]", "button:not([disabled])", "input:not([disabled])", "select:not([disabled])",
  "textarea:not([disabled])", "summary", "[tabindex]:not([tabindex='-1'])",
].join(",");

function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter(
    (el) => !el.closest("[hidden]") && el.getClientRects().length > 0,
  );
}

const openers = new WeakMap();

export function setupDialog(dialog, { onClose } = {}) {
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const items = focusables(dialog);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close("cancel"));
  }
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right
      && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close("cancel");
  });
  dialog.addEventListener("close", () => {
    document.body.classList.remove("has-modal");
    const opener = openers.get(dialog);
    if (opener && opener.isConnected) opener.focus();
    if (onClose) onClose(dialog.returnValue);
  });
}

export function openDialog(dialog, focusTarget) {
  openers.set(dialog, document.activeElement);
  dialog.returnValue = "";
  document.body.classList.add("has-modal");
  dialog.showModal();
  const target = focusTarget || focusables(dialog)[0];
  if (target) target.focus();
}

// Roving tabindex; arrows, Home and End move and select (automatic activation).
export function setupTabs(tablist, onSelect) {
  const tabs = () => [...tablist.querySelectorAll("[role=tab]")];
  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) onSelect(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const all = tabs();
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = {
      ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: all.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = all[(moves[event.key] + all.length) % all.length];
    next.focus();
    onSelect(next);
  });
}

export function markSelected(tablist, selected) {
  for (const tab of tablist.querySelectorAll("[role=tab]")) {
    const on = tab === selected;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  selected.scrollIntoView({ block: "nearest", inline: "nearest" });
}
