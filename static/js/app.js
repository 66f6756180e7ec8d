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

    // Quizzes: before grading, say which questions are still unanswered (inline, no dialog) and
    // offer to submit anyway. Without this script the server does the same.
    var quiz = document.querySelector("form.quiz");
    if (quiz) {
      var warning = document.getElementById("quiz-warning");
      var anyway = quiz.querySelector("button.submit-anyway");
      var isAnswered = function (fieldset) {
        var fields = Array.prototype.slice.call(fieldset.querySelectorAll("input, select"));
        var choices = fields.filter(function (f) { return f.type === "radio" || f.type === "checkbox"; });
        if (choices.length) { return choices.some(function (f) { return f.checked; }); }
        return fields.length > 0 && fields.every(function (f) { return f.value.trim() !== ""; });
      };
      quiz.addEventListener("submit", function (event) {
        if (event.submitter && event.submitter === anyway) { return; }
        var open = [];
        Array.prototype.forEach.call(quiz.querySelectorAll("fieldset.question"), function (fieldset) {
          var done = isAnswered(fieldset), message = document.getElementById(fieldset.id + "-unanswered");
          fieldset.classList.toggle("question-unanswered", !done);
          if (message) { message.hidden = done; }
          if (done) { fieldset.removeAttribute("aria-describedby"); }
          else { fieldset.setAttribute("aria-describedby", fieldset.id + "-unanswered"); open.push(fieldset); }
        });
        if (!open.length || !warning || !anyway) { return; }
        event.preventDefault();
        var text = open.length === 1 ? quiz.getAttribute("data-unanswered-one")
          : quiz.getAttribute("data-unanswered-many").replace("{n}", String(open.length));
        warning.textContent = text + " ";
        open.forEach(function (fieldset, i) {
          var link = document.createElement("a");
          link.href = "#" + fieldset.id;
          link.textContent = fieldset.querySelector("legend").textContent.split(":")[0];
          if (i) { warning.appendChild(document.createTextNode(", ")); }
          warning.appendChild(link);
        });
        warning.hidden = false;
        anyway.hidden = false;
        warning.focus();
      });
    }

    // Forms that record something once: a second click while the first is on its way does nothing.
    Array.prototype.forEach.call(document.querySelectorAll("button.submit-once"), function (button) {
      if (button.form) {
        button.form.addEventListener("submit", function (event) {
          if (event.defaultPrevented) { return; }
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

    // A job's page: ask how it is going every two seconds and show the page anew when anything
    // changed, until it is finished. Without this script the page's Refresh link does the same.
    var job = document.getElementById("job-status");
    if (job && window.fetch && (job.getAttribute("data-state") === "queued" || job.getAttribute("data-state") === "running")) {
      var shown = function () {
        return [job.getAttribute("data-state"), job.getAttribute("data-done"), job.getAttribute("data-total")].join("/");
      };
      var poll = function () {
        fetch(job.getAttribute("data-status-url"), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (status) {
            if (!status) { return; }
            var now = [status.state, status.done, status.total].join("/");
            if (now !== shown()) {
              return fetch(window.location.href, { credentials: "same-origin" })
                .then(function (response) { return response.text(); })
                .then(function (html) {
                  var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-status");
                  if (fresh) {
                    job.innerHTML = fresh.innerHTML;
                    ["data-state", "data-done", "data-total"].forEach(function (name) {
                      job.setAttribute(name, fresh.getAttribute(name));
                    });
                  }
                  if (status.state === "queued" || status.state === "running") { setTimeout(poll, 2000); }
                });
            }
            if (status.state === "queued" || status.state === "running") { setTimeout(poll, 2000); }
          })
          .catch(function () { setTimeout(poll, 5000); });
      };
      setTimeout(poll, 1000);
    }

    // Registration: preselect the browser's time zone when the person has not chosen one.
    var tz = document.querySelector("form[data-guess-timezone] #timezone");
    if (tz && tz.value === "UTC" && window.Intl) {
      var guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (guess && tz.querySelector('option[value="' + guess.replace(/"/g, "") + '"]')) { tz.value = guess; }
    }
  });
})();
