// A searchable picker for a <select multiple data-picker>: type to filter, arrow keys to
// move, Enter to choose or unchoose, Escape to close; chosen items show as a list with a
// "Remove" button each. The select stays in the form (hidden) and is what is submitted,
// so without this script the page still works with the native list.
(() => {
  const LIMIT = 50; // options listed at once: type to narrow the rest

  function enhance(select, n) {
    const id = select.id || `picker-${n}`;
    const label = document.querySelector(`label[for="${id}"]`);
    const name = label ? label.textContent.trim() : select.name;
    const hint = select.getAttribute("aria-describedby");

    const box = document.createElement("div");
    box.className = "picker-box";

    const chosen = document.createElement("ul");
    chosen.className = "picker-chosen";
    chosen.setAttribute("aria-label", `Chosen ${name.toLowerCase()}`);

    const input = document.createElement("input");
    input.type = "text";
    input.id = `${id}-search`;
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", `${id}-listbox`);
    if (hint) input.setAttribute("aria-describedby", hint);

    const list = document.createElement("ul");
    list.id = `${id}-listbox`;
    list.className = "picker-list";
    list.hidden = true;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    list.setAttribute("aria-label", name);

    const more = document.createElement("p");
    more.className = "hint picker-more";
    more.hidden = true;

    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");

    if (label) label.htmlFor = input.id;
    select.parentElement.querySelectorAll(".no-js-only").forEach((e) => e.remove());
    select.hidden = true;
    select.tabIndex = -1;
    box.append(chosen, input, list, more, status);
    select.after(box);

    const options = Array.from(select.options);
    let active = -1;

    const shown = () => Array.from(list.querySelectorAll("[role=option]"));

    function renderChosen() {
      chosen.replaceChildren();
      for (const option of options.filter((o) => o.selected)) {
        const item = document.createElement("li");
        const text = document.createElement("span");
        text.textContent = option.text;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary picker-remove";
        remove.textContent = "Remove";
        const which = document.createElement("span");
        which.className = "visually-hidden";
        which.textContent = ` ${option.text}`;
        remove.append(which);
        remove.addEventListener("click", () => {
          toggle(option);
          input.focus();
        });
        item.append(text, " ", remove);
        chosen.append(item);
      }
      chosen.hidden = !chosen.children.length;
    }

    function renderList() {
      const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      const typed = words.join(" ");
      // What was typed as a whole first (exactly, then at the start), then the rest.
      const rank = (o) => {
        const text = o.text.toLowerCase();
        if (text === typed) return 0;
        if (text.startsWith(typed)) return 1;
        return text.includes(typed) ? 2 : 3;
      };
      const matches = options
        .filter((o) => words.every((w) => o.text.toLowerCase().includes(w)))
        .sort((a, b) => rank(a) - rank(b));
      list.replaceChildren();
      matches.slice(0, LIMIT).forEach((option) => {
        const item = document.createElement("li");
        item.id = `${id}-option-${option.value}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", option.selected ? "true" : "false");
        // The tick is for the eye; aria-selected says it to a screen reader.
        const tick = document.createElement("span");
        tick.className = "picker-tick";
        tick.setAttribute("aria-hidden", "true");
        tick.textContent = option.selected ? "✓" : "";
        item.append(tick, option.text);
        item.dataset.value = option.value;
        // mousedown, not click: the input keeps focus (and the list stays open).
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          toggle(option);
        });
        list.append(item);
      });
      if (!matches.length) {
        const none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "Nothing matches: try fewer letters.";
        list.append(none);
      }
      more.hidden = matches.length <= LIMIT || list.hidden;
      more.textContent = `Showing ${LIMIT} of ${matches.length}: type more to narrow.`;
      setActive(Math.min(active, shown().length - 1));
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      renderList();
    }

    function close() {
      list.hidden = true;
      more.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      const items = shown();
      items.forEach((item, i) => item.classList.toggle("picker-active", i === index));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function toggle(option) {
      option.selected = !option.selected;
      status.textContent = `${option.text} ${option.selected ? "chosen" : "removed"}.`;
      renderChosen();
      if (!list.hidden) renderList();
    }

    input.addEventListener("input", () => {
      active = -1; // Down arrow moves to the first match
      open();
    });
    input.addEventListener("focus", () => {
      if (input.value) open();
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", (event) => {
      const items = shown();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) open();
        setActive(Math.min(active + 1, shown().length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Enter chooses here; it must not submit the form.
        if (!list.hidden || input.value) event.preventDefault();
        if (!list.hidden && items[active]) {
          toggle(options.find((o) => o.value === items[active].dataset.value));
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else {
          input.value = "";
        }
      }
    });

    renderChosen();
  }

  document.querySelectorAll("select[multiple][data-picker]").forEach(enhance);
})();
