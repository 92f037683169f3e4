/* Feedback box pages. No inline scripts or on* attributes (Content-Security-Policy):
   - a live character counter under each field with data-counter="<max>" (its counter element is
     [data-counter-for="<field id>"]); line breaks count once, as the server stores them;
   - the copy button of the one-time follow-up code (button[data-copy="<selector>"]).
   Nothing here stores anything: no cookies, no localStorage. */
(function () {
  "use strict";

  function counters(root) {
    root.querySelectorAll("[data-counter]").forEach(function (field) {
      var out = root.querySelector('[data-counter-for="' + field.id + '"]');
      if (!out || field.dataset.counterBound) return;
      field.dataset.counterBound = "1";
      var max = parseInt(field.dataset.counter, 10);
      function update() {
        var n = Array.from(field.value.replace(/\r\n/g, "\n")).length;
        out.textContent = n + " / " + max;
        out.classList.toggle("text-warning-emphasis", n > max * 0.9 && n <= max);
        out.classList.toggle("text-danger", n > max);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  function copyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = root.querySelector(button.dataset.copy);
      if (!source) return;
      var label = button.querySelector("span");
      var original = label ? label.textContent : "";
      function done() {
        if (label) label.textContent = button.dataset.copiedText || original;
        button.classList.replace("btn-outline-primary", "btn-success");
        window.setTimeout(function () {
          if (label) label.textContent = original;
          button.classList.replace("btn-success", "btn-outline-primary");
        }, 2000);
      }
      button.addEventListener("click", function () {
        source.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      });
      source.addEventListener("focus", function () { source.select(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counters(document);
    copyButtons(document);
  });
})();
