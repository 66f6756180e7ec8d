// Live preview for the course editor: the checker's messages and the rendered module update as
// the author types. Without JavaScript, the "Check and preview" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var text = form.querySelector("textarea");

  // Leaving the editor with unsaved changes asks first (saving or previewing sends them; a
  // quick exit never waits).
  var sending = false;
  form.addEventListener("submit", function () { sending = true; });
  window.addEventListener("beforeunload", function (event) {
    if (sending || document.documentElement.hasAttribute("data-leaving")) { return; }
    if (text.value !== text.defaultValue) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  if (!window.fetch) { return; }
  var preview = document.getElementById("preview");
  var problems = document.getElementById("problems");
  var url = form.getAttribute("data-preview-url");
  var tokenField = form.querySelector("input[name=csrf_token]");
  var token = tokenField ? tokenField.value : "";
  var timer = null;

  function lineStart(value, line) {
    var index = 0;
    for (var i = 1; i < line; i++) {
      var next = value.indexOf("\n", index);
      if (next < 0) { break; }
      index = next + 1;
    }
    return index;
  }

  function showProblems(list) {
    problems.textContent = "";
    if (!list.length) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = problems.getAttribute("data-ok") || "No problems found in this file.";
      problems.appendChild(ok);
      return;
    }
    var ul = document.createElement("ul");
    ul.className = "problems";
    list.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "problem problem-" + p.severity;
      var go = document.createElement("button");
      go.type = "button";
      go.className = "link-button";
      go.textContent = (problems.getAttribute("data-line") || "Line") + " " + p.line;
      go.addEventListener("click", function () {
        var start = lineStart(text.value, p.line);
        text.focus();
        text.setSelectionRange(start, start);
        var lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
        text.scrollTop = Math.max(0, (p.line - 3) * lineHeight);
      });
      li.appendChild(go);
      li.appendChild(document.createTextNode(": " + p.message));
      ul.appendChild(li);
    });
    problems.appendChild(ul);
  }

  function tooLarge() {
    var max = Number(form.getAttribute("data-max-bytes")) || Infinity;
    return text.value.length > max || (window.Blob && new Blob([text.value]).size > max);
  }

  var latest = 0;  // answers to older checks arrive late on a slow line: only the latest counts

  function refresh() {
    var request = ++latest;
    if (tooLarge()) {  // the server would refuse it: say why here instead of sending it
      problems.textContent = "";
      var p = document.createElement("p");
      p.className = "problem problem-error";
      p.textContent = form.getAttribute("data-too-large");
      problems.appendChild(p);
      return;
    }
    var body = new URLSearchParams();
    body.set("csrf_token", token);
    body.set("text", text.value);
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "X-CSRFToken": token } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || request !== latest) { return; }
        preview.innerHTML = data.html;  // rendered and sanitised on the server
        showProblems(data.problems);
      })
      .catch(function () { /* the buttons still work */ });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
  // Text typed before this script ran (a slow connection) is checked straight away.
  if (text.value !== text.defaultValue) { refresh(); }
})();
