/* hrsuite page behaviour. No inline scripts anywhere (Content-Security-Policy): pages pass data
   through <script type="application/json"> elements rendered by Django's json_script. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var options = Object.assign({ responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } }, spec.options || {});
      if (spec.percent) {
        options.scales = options.scales || {};
        options.scales[spec.type === "bar" && spec.horizontal ? "x" : "y"] = { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } };
      }
      if (spec.horizontal) options.indexAxis = "y";
      new Chart(canvas, { type: spec.type || "bar", data: { labels: spec.labels, datasets: spec.datasets }, options: options });
      canvas.dataset.drawn = "1";
    });
  }

  function confirmForms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  function init(root) {
    drawCharts(root);
    confirmForms(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    var toggle = document.querySelector("[data-toggle-sidebar]");
    if (toggle) toggle.addEventListener("click", function () { document.getElementById("sidebar").classList.toggle("open"); });
    // keep the active tab in the URL hash so a reload or a shared link opens the same tab
    var hash = window.location.hash;
    if (hash && window.bootstrap) {
      var trigger = document.querySelector('[data-bs-toggle="tab"][data-bs-target="' + hash + '"]');
      if (trigger) bootstrap.Tab.getOrCreateInstance(trigger).show();
    }
    document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (el) {
      el.addEventListener("shown.bs.tab", function () { history.replaceState(null, "", el.dataset.bsTarget); });
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
