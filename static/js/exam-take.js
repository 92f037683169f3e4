/* Taking an exam: the countdown and the automatic submission when the time is up.
   The server renders the seconds left (data-remaining) from its own clock, so a taker's clock
   that is wrong does not matter: only the time elapsed on it since the page loaded is used
   (Date.now rather than performance.now, which stops while a laptop sleeps). Autosave is
   declared on the form with htmx (hx-trigger="every 30s"), which sends the CSRF header that
   base.html sets. No inline script (Content-Security-Policy). */
(function () {
  "use strict";

  var WARN_SECONDS = 300;
  var DANGER_SECONDS = 60;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clock(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  function start(timer) {
    var form = document.getElementById(timer.dataset.form);
    var display = timer.querySelector("[data-timer-display]");
    var remaining = parseInt(timer.dataset.remaining, 10);
    if (!form || !display || isNaN(remaining)) return;
    var end = Date.now() + remaining * 1000;
    var sent = false;

    function lock() {
      sent = true;
      var buttons = form.querySelectorAll("button[type=submit]");
      var outside = document.querySelectorAll('button[type=submit][form="' + form.id + '"]');
      [].concat([].slice.call(buttons), [].slice.call(outside)).forEach(function (b) { b.disabled = true; });
    }

    // "Answered: n of m", kept up to date as the taker ticks answers
    var counter = document.querySelector("[data-answered-count]");
    function count() {
      if (!counter) return;
      var answered = 0; // (no :has() selector: older browsers in use in offices lack it)
      form.querySelectorAll(".exam-question").forEach(function (q) {
        if (q.querySelector("input:checked")) answered += 1;
      });
      counter.querySelector("[data-answered]").textContent = String(answered);
      counter.hidden = false;
    }
    form.addEventListener("change", count);
    count();

    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return; // the confirmation was declined
      if (sent) { event.preventDefault(); return; }
      lock();
    });

    function tick() {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      display.textContent = clock(left);
      timer.dataset.seconds = String(left);
      timer.classList.toggle("timer-warn", left <= WARN_SECONDS && left > DANGER_SECONDS);
      timer.classList.toggle("timer-danger", left <= DANGER_SECONDS);
      if (left <= 0) {
        if (!sent) {
          timer.classList.add("timer-over");
          lock();
          form.submit(); // no confirmation: the time is up
        }
        return;
      }
      window.setTimeout(tick, 250);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-exam-timer]").forEach(start);
  });
})();
