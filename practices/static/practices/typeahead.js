// Type-ahead for long multi-selects in the practice editor (cities, countries): the
// <select multiple data-typeahead> is hidden and replaced by a list of the chosen values, each
// with a remove button, and a search box whose suggestions (a native <datalist>) narrow as one
// types. The select stays in the form and still carries the values, so saving is unchanged, and
// without JavaScript the plain multi-select remains.
(function () {
  "use strict";

  function enhance(select) {
    const id = select.id || select.name;
    const box = document.createElement("div");
    box.className = "practice-typeahead";
    const chosen = document.createElement("ul");
    chosen.className = "practice-typeahead__chosen";
    const input = document.createElement("input");
    input.type = "text";
    input.id = `${id}-search`;
    input.className = "practice-typeahead__input";
    input.autocomplete = "off";
    input.setAttribute("list", `${id}-options`);
    const describedBy = select.getAttribute("aria-describedby");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    const list = document.createElement("datalist");
    list.id = `${id}-options`;
    const status = document.createElement("p");
    status.className = "practice-typeahead__status";
    status.setAttribute("aria-live", "polite");
    box.append(chosen, input, list, status);
    select.after(box);
    select.hidden = true;
    // The field's label now names the search box.
    const label = document.querySelector(`label[for='${select.id}']`);
    if (label) label.htmlFor = input.id;

    function changed(message) {
      select.dispatchEvent(new Event("change", { bubbles: true }));
      render();
      status.textContent = message;
    }

    function render() {
      chosen.replaceChildren();
      list.replaceChildren();
      for (const option of select.options) {
        if (option.selected) {
          const item = document.createElement("li");
          const name = document.createElement("span");
          name.textContent = option.text;
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "practice-typeahead__remove";
          remove.textContent = "×";
          remove.setAttribute("aria-label", `Remove ${option.text}`);
          remove.addEventListener("click", () => {
            option.selected = false;
            changed(`${option.text} removed.`);
            input.focus();
          });
          item.append(name, remove);
          chosen.append(item);
        } else {
          const suggestion = document.createElement("option");
          suggestion.value = option.text;
          list.append(suggestion);
        }
      }
      chosen.hidden = !chosen.children.length;
    }

    function choose() {
      const typed = input.value.trim().toLowerCase();
      if (!typed) return false;
      const options = Array.from(select.options).filter((option) => !option.selected);
      const match =
        options.find((option) => option.text.toLowerCase() === typed) ||
        // One suggestion left for what was typed: take it.
        (function () {
          const partial = options.filter((option) => option.text.toLowerCase().includes(typed));
          return partial.length === 1 ? partial[0] : null;
        })();
      if (!match) {
        status.textContent = `No single match for "${input.value}": pick one from the list.`;
        return false;
      }
      match.selected = true;
      input.value = "";
      changed(`${match.text} added.`);
      return true;
    }

    // Picking a suggestion fills the box with its exact text: add it at once.
    input.addEventListener("input", () => {
      const typed = input.value.trim().toLowerCase();
      const exact = Array.from(select.options).some(
        (option) => !option.selected && option.text.toLowerCase() === typed
      );
      if (exact) choose();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        // Enter must never submit the page form from here.
        event.preventDefault();
        choose();
      } else if (event.key === "Backspace" && !input.value) {
        const last = Array.from(select.selectedOptions).pop();
        if (last) {
          last.selected = false;
          changed(`${last.text} removed.`);
        }
      }
    });
    render();
  }

  function init() {
    document.querySelectorAll("select[multiple][data-typeahead]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
