/* Pay structure line form: the name palette inserts names into the formula at the cursor,
   the "fixed amount / formula" choice shows one field, and changes that affect the check
   (an insertion, another component) ask htmx to check the formula again. No inline script
   anywhere (Content-Security-Policy). */
(function () {
  "use strict";

  function changed(textarea) {
    textarea.dispatchEvent(new Event("formula-changed", { bubbles: true }));
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart != null ? textarea.selectionStart : textarea.value.length;
    var end = textarea.selectionEnd != null ? textarea.selectionEnd : start;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    // keep names apart from what precedes them; functions open their parenthesis themselves
    if (before && !/[\s(（,，+\-*/×÷<>=]$/.test(before)) text = " " + text;
    textarea.value = before + text + after;
    var caret = before.length + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    changed(textarea);
  }

  function bindPalette(palette) {
    if (palette.dataset.bound) return;
    palette.dataset.bound = "1";
    var textarea = document.getElementById(palette.dataset.target);
    palette.addEventListener("click", function (event) {
      var chip = event.target.closest("[data-insert]");
      if (!chip || !textarea) return;
      event.preventDefault();
      var formulaChoice = document.querySelector('input[name="mode"][value="formula"]');
      if (formulaChoice && !formulaChoice.checked) {
        formulaChoice.checked = true;
        formulaChoice.dispatchEvent(new Event("change", { bubbles: true }));
      }
      insertAtCursor(textarea, chip.dataset.insert);
    });
    var filter = palette.querySelector("[data-palette-filter]");
    if (filter) {
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        palette.querySelectorAll("[data-insert]").forEach(function (chip) {
          var text = (chip.textContent + " " + (chip.title || "")).toLowerCase();
          chip.hidden = q !== "" && text.indexOf(q) === -1;
        });
      });
    }
  }

  function bindForm(form) {
    if (form.dataset.bound) return;
    form.dataset.bound = "1";
    var radios = form.querySelectorAll('input[name="mode"]');
    function show() {
      var checked = form.querySelector('input[name="mode"]:checked');
      var mode = checked ? checked.value : "formula";
      form.querySelectorAll("[data-mode-panel]").forEach(function (panel) {
        panel.hidden = panel.dataset.modePanel !== mode;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
    var component = form.querySelector('select[name="component"]');
    var textarea = form.querySelector("textarea[name=formula]");
    if (component && textarea) {
      component.addEventListener("change", function () { if (textarea.value.trim()) changed(textarea); });
    }
  }

  function init(root) {
    root.querySelectorAll("[data-palette]").forEach(bindPalette);
    root.querySelectorAll("form[data-line-form]").forEach(bindForm);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
