// The console's own behaviour (no inline scripts: the Content-Security-Policy allows none).
// htmx does the fetching; this file only adds what htmx does not.
"use strict";
document.addEventListener("htmx:responseError", function (event) {
  // A fragment that failed (a session ended, the server away): say so where people look.
  var target = document.getElementById("console-status");
  if (target) {
    target.textContent = "Something could not be loaded. Reload the page to try again.";
  }
});
