/* OKR pages: the running total of the key result weights while they are typed (the service
   still refuses a total other than 100%), a new key result row from the empty-form template, and
   the objective form showing only the fields its level uses. No inline script (CSP). */
(function () {
  "use strict";

  function weightsTotal(form) {
    var total = 0;
    form.querySelectorAll("[data-kr-row]").forEach(function (row) {
      var del = row.querySelector("[data-kr-delete]");
      var input = row.querySelector("[data-kr-weight]");
      if (!input || (del && del.checked)) return;
      var value = parseFloat(input.value);
      if (!isNaN(value)) total += value;
    });
    return Math.round(total * 100) / 100;
  }

  function bindKeyResults(form) {
    if (form.dataset.krBound) return;
    form.dataset.krBound = "1";
    var output = form.querySelector("[data-kr-total]");
    var hint = form.querySelector("[data-kr-total-hint]");
    function update() {
      var total = weightsTotal(form);
      var ok = Math.abs(total - 100) < 0.001;
      output.textContent = String(total);
      output.classList.toggle("text-success", ok);
      output.classList.toggle("text-danger", !ok);
      if (hint) hint.classList.toggle("d-none", ok);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    var add = form.querySelector("[data-kr-add]");
    var template = form.querySelector("template[data-kr-empty]");
    var prefix = form.dataset.krFormset;
    var totalForms = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    if (add && template && totalForms) {
      add.addEventListener("click", function () {
        var index = parseInt(totalForms.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        form.querySelector("[data-kr-body]").insertAdjacentHTML("beforeend", html);
        totalForms.value = String(index + 1);
        update();
      });
    }
    update();
  }

  function bindObjectiveForm(form) {
    if (form.dataset.levelBound) return;
    form.dataset.levelBound = "1";
    var level = form.querySelector("select[name='level']");
    if (!level) return;
    function update() {
      form.querySelectorAll("[data-okr-for]").forEach(function (box) {
        box.classList.toggle("d-none", box.dataset.okrFor.split(" ").indexOf(level.value) === -1);
      });
    }
    level.addEventListener("change", update);
    update();
  }

  function init(root) {
    root.querySelectorAll("form[data-kr-formset]").forEach(bindKeyResults);
    root.querySelectorAll("form[data-okr-objective-form]").forEach(bindObjectiveForm);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
