/* Survey pages. No inline scripts or on* attributes (Content-Security-Policy):
   - a character counter under each free-text answer (textarea[data-counter]),
   - the options box of the question form shown only for choice questions,
   - an answer's error cleared once that answer changes,
   - the "levels shown" selector of the results page submits itself. */
(function () {
  "use strict";

  function counters(root) {
    root.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var out = root.querySelector('[data-counter-for="' + area.id + '"]');
      if (!out || area.dataset.counterBound) return;
      area.dataset.counterBound = "1";
      var max = parseInt(area.dataset.counter, 10);
      function update() {
        var n = area.value.length;
        out.textContent = n + " / " + max;
        out.classList.toggle("text-danger", n > max * 0.9);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  function questionKind(root) {
    var kind = root.querySelector("[data-question-kind]");
    var group = root.querySelector("[data-options-group]");
    if (!kind || !group) return;
    function update() {
      group.hidden = !(kind.value === "choice" || kind.value === "multiple");
    }
    kind.addEventListener("change", update);
    update();
  }

  // an answer's error goes away once the person changes that answer
  function clearErrors(root) {
    root.querySelectorAll("fieldset.question").forEach(function (set) {
      set.addEventListener("change", function () {
        set.classList.remove("border-danger");
        set.removeAttribute("aria-invalid");
        set.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      });
    });
  }

  function autosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counters(document);
    questionKind(document);
    clearErrors(document);
    autosubmit(document);
  });
})();
