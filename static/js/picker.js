/* Pickers: suggestions while typing in a unit, entry or person field (WAI-ARIA combobox with a listbox popup).
 * The form works without this script: the server resolves what was typed and lists candidates to choose from.
 * Keys: Down/Up move through the suggestions, Enter chooses, Escape closes the list. */
(function () {
  "use strict";
  if (window.registryPickers) { return; }
  window.registryPickers = true;
  var counter = 0;

  function setup(input) {
    var wrapper = input.closest(".picker");
    var choice = wrapper.querySelector('input[type="hidden"][name="' + input.name + '-choice"]');
    var listId = (input.id || "picker-" + (++counter)) + "-listbox";
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null, items = [], active = -1, asked = "";

    list.id = listId;
    list.setAttribute("role", "listbox");
    list.className = "picker-list";
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.after(list, status);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, n) { option.setAttribute("aria-selected", n === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = item.value;
      if (choice) { choice.value = item.id; }
      close();
      status.textContent = item.label;
    }

    function show(suggestions) {
      items = suggestions;
      list.textContent = "";
      suggestions.forEach(function (item, n) {
        var option = document.createElement("li");
        option.id = listId + "-" + n;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        if (item.note) {
          var note = document.createElement("span");
          note.className = "picker-note";
          note.textContent = " · " + item.note;
          option.appendChild(note);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(n); });
        list.appendChild(option);
      });
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
      active = -1;
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < 2 || q === asked) { if (q.length < 2) { close(); } return; }
      asked = q;
      var url = input.getAttribute("data-picker");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
        .then(function (data) { if (input.value.trim() === q) { show(data.suggestions || []); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      // What is typed now is no longer the unit chosen before.
      if (choice) { choice.value = ""; }
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 200);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { asked = ""; fetchSuggestions(); return; }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() { document.querySelectorAll("input[data-picker]").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
