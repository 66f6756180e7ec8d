// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Quick exit: replace this page in the history so Back does not return to it.
  function leave(url) {
    try { document.body.style.visibility = "hidden"; } catch (e) { /* keep going */ }
    window.location.replace(url);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var exit = document.getElementById("quick-exit");
    if (exit) {
      var url = exit.getAttribute("data-exit-url");
      exit.addEventListener("click", function (event) {
        event.preventDefault();
        leave(url);
      });
      // The GOV.UK pattern: Shift pressed three times within two seconds leaves at once.
      var presses = [];
      document.addEventListener("keyup", function (event) {
        if (event.key !== "Shift") { return; }
        var now = Date.now();
        presses = presses.filter(function (t) { return now - t < 2000; });
        presses.push(now);
        if (presses.length >= 3) { leave(url); }
      });
    }

    // Forms that record something once: a second click while the first is on its way does nothing.
    Array.prototype.forEach.call(document.querySelectorAll("button.submit-once"), function (button) {
      if (button.form) {
        button.form.addEventListener("submit", function () {
          setTimeout(function () { button.disabled = true; }, 0);
        });
      }
    });

    // Registration: preselect the browser's time zone when the person has not chosen one.
    var tz = document.querySelector("form[data-guess-timezone] #timezone");
    if (tz && tz.value === "UTC" && window.Intl) {
      var guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (guess && tz.querySelector('option[value="' + guess.replace(/"/g, "") + '"]')) { tz.value = guess; }
    }
  });
})();
