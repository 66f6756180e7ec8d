// Cohort pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // The module list follows the chosen course at once (without JavaScript a button lists them).
    var course = document.getElementById("course");
    var module = document.getElementById("module");
    if (course && module && module.getAttribute("data-modules")) {
      var modules = JSON.parse(module.getAttribute("data-modules"));
      var whole = module.options[0] ? module.options[0].text : "";
      var fill = function () {
        var keep = module.value;
        while (module.options.length) { module.remove(0); }
        module.add(new Option(whole, ""));
        (modules[course.value] || []).forEach(function (pair) {
          module.add(new Option(pair[1], pair[0], false, pair[0] === keep));
        });
      };
      course.addEventListener("change", fill);
      fill();
      Array.prototype.forEach.call(document.querySelectorAll(".js-hide"), function (el) { el.hidden = true; });
    }

    // Copy buttons: shown only where the browser can copy.
    if (navigator.clipboard && window.isSecureContext) {
      Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
        var source = document.getElementById(button.getAttribute("data-copy"));
        var status = button.parentNode.querySelector(".copy-status");
        if (!source) { return; }
        button.hidden = false;
        button.addEventListener("click", function () {
          navigator.clipboard.writeText(source.textContent.trim()).then(function () {
            if (status) { status.textContent = button.getAttribute("data-copied"); }
          });
        });
      });
    }
  });
})();
