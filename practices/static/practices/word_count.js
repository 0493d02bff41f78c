// Live word counts with soft limits for the practice editor (RAN template: 300/200/100/100 words).
// The limits come from settings through the #practice-word-limits JSON script; nothing is blocked,
// the counter only turns into a warning past the limit.
(function () {
  "use strict";
  const limitsNode = document.getElementById("practice-word-limits");
  if (!limitsNode) return;
  const limits = JSON.parse(limitsNode.textContent);
  // Texts go through Django's JavaScript catalogue when the page loads one (gettext), as in
  // typeahead.js; without it they stay English.
  const translate = (text) => (typeof window.gettext === "function" ? window.gettext(text) : text);
  const fill = (text, values) =>
    typeof window.interpolate === "function"
      ? window.interpolate(text, values, true)
      : text.replace(/%\((\w+)\)s/g, (_match, key) => values[key]);

  function countWords(text) {
    const words = text.trim().split(/\s+/).filter(Boolean);
    return words.length;
  }

  function attach(name, limit) {
    // Only form controls: the admin page also has <meta name="description">.
    const input = document.querySelector(`input[name="${name}"], textarea[name="${name}"]`);
    if (!input) return false;
    const wrapper = input.closest("[data-field-wrapper]") || input.parentElement;
    const editor = wrapper.querySelector("[contenteditable='true']");
    if (!editor) return false;
    const counter = document.createElement("p");
    counter.className = "help practice-word-count";
    counter.setAttribute("aria-live", "polite");
    wrapper.appendChild(counter);
    function update() {
      const words = countWords(editor.innerText || "");
      const over = words > limit;
      counter.textContent = over
        ? fill(translate("%(words)s words: over the %(limit)s-word limit of the template."), {
            words,
            limit,
          })
        : fill(translate("%(words)s of %(limit)s words."), { words, limit });
      counter.style.color = over ? "#b50000" : "";
      counter.style.fontWeight = over ? "bold" : "";
    }
    editor.addEventListener("input", update);
    editor.addEventListener("keyup", update);
    update();
    return true;
  }

  function attachAll(pending, attempt) {
    const remaining = pending.filter(([name, limit]) => !attach(name, limit));
    // Draftail mounts after DOMContentLoaded: retry briefly for editors not rendered yet.
    if (remaining.length && attempt < 20) {
      setTimeout(() => attachAll(remaining, attempt + 1), 250);
    }
  }

  document.addEventListener("DOMContentLoaded", () => attachAll(Object.entries(limits), 0));
})();
