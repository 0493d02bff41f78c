// Type-ahead for long multi-selects in the practice editor (cities, countries): the
// <select multiple data-typeahead> is hidden and replaced by a list of the chosen values, each
// with a remove button, and a search box (an ARIA combobox) whose list of suggestions narrows as
// one types. The select stays in the form and still carries the values, so saving is unchanged,
// and without JavaScript the plain multi-select remains.
//
// The suggestions are a listbox in the page rather than a native <datalist>: a datalist's popup
// is drawn by the browser, differs between browsers (some match only the start of a name) and
// cannot be styled; the listbox is the same everywhere and keyboard-operable (arrows, Enter,
// Escape). Texts go through Django's JavaScript catalogue, which the admin loads (gettext).
(function () {
  "use strict";

  const MAX_SUGGESTIONS = 8;
  const translate = (text) => (typeof window.gettext === "function" ? window.gettext(text) : text);
  const fill = (text, values) =>
    typeof window.interpolate === "function"
      ? window.interpolate(text, values, true)
      : text.replace(/%\((\w+)\)s/g, (_match, key) => values[key]);

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
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", `${id}-options`);
    const describedBy = select.getAttribute("aria-describedby");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    const list = document.createElement("ul");
    list.id = `${id}-options`;
    list.className = "practice-typeahead__options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "practice-typeahead__status";
    status.setAttribute("aria-live", "polite");
    box.append(chosen, input, list, status);
    select.after(box);
    select.hidden = true;
    // The field's label now names the search box, and the listbox.
    const label = document.querySelector(`label[for='${select.id}']`);
    if (label) {
      label.htmlFor = input.id;
      if (!label.id) label.id = `${id}-label`;
      list.setAttribute("aria-labelledby", label.id);
    }
    let active = -1;
    let matches = [];

    function changed(message) {
      select.dispatchEvent(new Event("change", { bubbles: true }));
      render();
      status.textContent = message;
    }

    function render() {
      chosen.replaceChildren();
      for (const option of select.selectedOptions) {
        const item = document.createElement("li");
        const name = document.createElement("span");
        name.textContent = option.text;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "practice-typeahead__remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", fill(translate("Remove %(name)s"), { name: option.text }));
        remove.addEventListener("click", () => {
          option.selected = false;
          changed(fill(translate("%(name)s removed."), { name: option.text }));
          input.focus();
        });
        item.append(name, remove);
        chosen.append(item);
      }
      chosen.hidden = !chosen.children.length;
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      matches = [];
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role='option']").forEach((item, position) => {
        item.setAttribute("aria-selected", position === index ? "true" : "false");
        if (position === index) {
          input.setAttribute("aria-activedescendant", item.id);
          item.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function suggest() {
      const typed = input.value.trim().toLowerCase();
      if (!typed) {
        close();
        return;
      }
      const free = Array.from(select.options).filter((option) => !option.selected);
      const starts = free.filter((option) => option.text.toLowerCase().startsWith(typed));
      const contains = free.filter(
        (option) => !starts.includes(option) && option.text.toLowerCase().includes(typed)
      );
      matches = [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
      list.replaceChildren();
      matches.forEach((option, position) => {
        const item = document.createElement("li");
        item.id = `${id}-option-${position}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.className = "practice-typeahead__option";
        item.textContent = option.text;
        // mousedown, so that the search box keeps the focus (its blur would close the list).
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          add(option);
        });
        list.append(item);
      });
      if (!matches.length) {
        close();
        status.textContent = fill(translate("Nothing matches “%(typed)s”."), {
          typed: input.value,
        });
        return;
      }
      status.textContent = "";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(matches.length === 1 ? 0 : -1);
    }

    function add(option) {
      option.selected = true;
      input.value = "";
      close();
      changed(fill(translate("%(name)s added."), { name: option.text }));
    }

    function choose() {
      if (active >= 0 && matches[active]) {
        add(matches[active]);
        return;
      }
      const typed = input.value.trim().toLowerCase();
      if (!typed) return;
      const exact = matches.find((option) => option.text.toLowerCase() === typed);
      if (exact) add(exact);
      else status.textContent = translate("Pick one from the list (arrow keys, then Enter).");
    }

    input.addEventListener("input", suggest);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) suggest();
        if (!matches.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + matches.length) % matches.length);
      } else if (event.key === "Enter") {
        // Enter must never submit the page form from here.
        event.preventDefault();
        choose();
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && !input.value) {
        const last = Array.from(select.selectedOptions).pop();
        if (last) {
          last.selected = false;
          changed(fill(translate("%(name)s removed."), { name: last.text }));
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
