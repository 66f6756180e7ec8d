// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Quick exit: replace this page in the history so Back does not return to it.
  function leave(url) {
    // Nothing may hold a quick exit back: pages that warn before leaving skip the warning.
    document.documentElement.setAttribute("data-leaving", "");
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

    // Lessons: as the learner reads, move the module's progress bar and tell the server the
    // furthest section reached, so the place to resume follows their reading.
    var lesson = document.querySelector("article[data-reached-url]");
    if (lesson && window.IntersectionObserver && window.fetch && window.FormData) {
      var sections = Array.prototype.slice.call(lesson.querySelectorAll(".lesson-section"));
      var furthest = -1, sent = -1, timer = null;
      var show = function (id, percent) {
        var bar = document.getElementById(id), text = document.getElementById(id + "-text");
        if (bar && text && percent >= Number(bar.value)) {
          bar.value = percent;
          bar.textContent = percent + "%";
          text.textContent = text.textContent.replace(/\d+/, percent);
        }
      };
      var send = function () {
        timer = null;
        if (furthest <= sent) { return; }
        sent = furthest;
        var form = new FormData();
        form.append("csrf_token", lesson.getAttribute("data-csrf-token"));
        form.append("section", sections[furthest].id.replace(/^section-/, ""));
        fetch(lesson.getAttribute("data-reached-url"), { method: "POST", body: form, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (answer) {
            if (answer) {
              show("module-progress", answer.percent);
              show("course-progress", answer.course_percent);
            }
          })
          .catch(function () { /* offline: the next page view records the visit */ });
      };
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          var index = Number(entry.target.getAttribute("data-index"));
          // A section counts as reached once its end has come into view.
          if (entry.isIntersecting && index > furthest) { furthest = index; }
        });
        if (furthest > sent && !timer) { timer = setTimeout(send, 1500); }
      });
      sections.forEach(function (section, index) {
        var end = document.createElement("span");
        end.className = "section-end";
        end.setAttribute("aria-hidden", "true");
        end.setAttribute("data-index", String(index));
        section.appendChild(end);
        observer.observe(end);
      });
    }

    // Pages meant for paper (recovery codes): their print button is hidden until it can work.
    Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });

    // Registration: preselect the browser's time zone when the person has not chosen one.
    var tz = document.querySelector("form[data-guess-timezone] #timezone");
    if (tz && tz.value === "UTC" && window.Intl) {
      var guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (guess && tz.querySelector('option[value="' + guess.replace(/"/g, "") + '"]')) { tz.value = guess; }
    }
  });
})();
