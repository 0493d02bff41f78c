// The practice editor's error summary (practices/panels.py): on load it takes the focus, so a
// screen reader announces it; each link opens the tab and the collapsed panel that hold its
// field, then moves the focus into the field. Without this script the links are plain anchors.
// Wagtail's autosave may keep the changes as a draft right after a refused save (the form still
// holds unsaved changes): the summary then says so, instead of contradicting autosave's "Saved".
(function () {
  "use strict";

  function reveal(element) {
    // Wagtail's tabs select the tab around the target of a bubbling w-focus:focus event.
    element.dispatchEvent(new CustomEvent("w-focus:focus", { bubbles: true, cancelable: true }));
    const tab = element.closest("[role='tabpanel']");
    if (tab && tab.hidden) {
      const trigger = document.querySelector(`[role='tab'][aria-controls='${tab.id}']`);
      if (trigger) trigger.click();
    }
    // Collapsed panels hide their content; their toggle names it in aria-controls.
    for (let node = element.parentElement; node; node = node.parentElement) {
      if (node.hidden && node.id && node.getAttribute("role") !== "tabpanel") {
        const toggle = document.querySelector(`[aria-controls='${node.id}'][aria-expanded]`);
        if (toggle) toggle.click();
      }
    }
  }

  function focusable(wrapper) {
    // The field itself before any button around it (a chooser's, "Add comment").
    const visible = (selector) =>
      Array.from(wrapper.querySelectorAll(selector)).find((node) => node.offsetParent !== null);
    return (
      visible("[contenteditable='true'], input:not([type='hidden']), select, textarea") ||
      visible("button") ||
      wrapper
    );
  }

  function init() {
    const summary = document.querySelector("[data-practice-error-summary]");
    if (!summary) return;
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("[data-error-link]");
      if (!link) return;
      const target = document.getElementById(link.dataset.errorLink);
      if (!target) return;
      event.preventDefault();
      const wrapper = target.closest("[data-field-wrapper]") || target;
      reveal(wrapper);
      // Wagtail's tabs and panels show themselves from a Stimulus value change, which runs after
      // this handler (a mutation observer): find the visible field once they have.
      window.setTimeout(() => {
        const field = focusable(wrapper);
        if (field === wrapper && !wrapper.hasAttribute("tabindex")) wrapper.tabIndex = -1;
        wrapper.scrollIntoView({ block: "center" });
        field.focus({ preventScroll: true });
      }, 0);
    });
    document.addEventListener("w-autosave:success", () => {
      const autosaved = summary.querySelector("[data-practice-error-summary-autosaved]");
      const lead = summary.querySelector("[data-practice-error-summary-lead]");
      if (!autosaved || !autosaved.hidden) return;
      autosaved.hidden = false;
      if (lead) lead.hidden = true;
    });
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
