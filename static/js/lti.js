// LTI pages. A launch page shown in a window of its own opens the site in that window at once; in
// the LMS's frame (where the browser may refuse the site's cookie) it leaves the link to open a new
// window. The deep linking answer is posted back to the LMS without a click.
(function () {
  "use strict";
  var open = document.querySelector("[data-lti-open]");
  if (open && window.top === window.self) {
    window.location.replace(open.getAttribute("href"));
  }
  var answer = document.querySelector("form[data-lti-autosubmit]");
  if (answer) {
    answer.submit();
  }
})();
