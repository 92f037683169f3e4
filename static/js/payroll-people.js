/* Per-person pay pages: the raise against the current base salary, shown while a revision is
   typed. No inline script (Content-Security-Policy); labels come from data attributes. */
(function () {
  "use strict";

  function format(amount) {
    var sign = amount < 0 ? "-" : "+";
    return sign + "¥" + Math.abs(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function bind(root) {
    root.querySelectorAll("input[data-previous-base]").forEach(function (input) {
      if (input.dataset.raiseBound) return;
      input.dataset.raiseBound = "1";
      var box = document.querySelector("[data-raise-preview]");
      var output = box && box.querySelector("[data-raise-output]");
      if (!output) return;
      var previous = parseFloat(input.dataset.previousBase);
      function update() {
        var value = parseFloat(input.value);
        if (isNaN(value) || isNaN(previous)) { output.textContent = ""; return; }
        var change = value - previous;
        var text = " → " + box.dataset.raiseLabelAmount + " " + format(change);
        if (previous > 0) text += " (" + (change >= 0 ? "+" : "") + (change / previous * 100).toFixed(1) + "%)";
        output.textContent = text;
        output.className = change > 0 ? "text-success" : change < 0 ? "text-danger" : "";
      }
      input.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bind(event.target); });
})();
