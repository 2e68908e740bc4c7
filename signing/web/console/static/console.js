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

// -- plans --
// The plans list refreshes its results every few seconds (htmx polling). A refresh must
// not take the keyboard focus away: if the focus was on a link in the results, put it
// back on the link to the same plan (or the results' heading) once they are swapped.
(function () {
  var focusedHref = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "plan-results") { return; }
    var active = document.activeElement;
    focusedHref = active && target.contains(active) && active.getAttribute("href");
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusedHref) { return; }
    var results = document.getElementById("plan-results");
    if (!results) { return; }
    var links = results.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("href") === focusedHref) { links[i].focus(); break; }
    }
    focusedHref = null;
  });
})();
// On a wide screen the list's filters start open; on a phone the list comes first.
document.addEventListener("DOMContentLoaded", function () {
  var more = document.querySelector("details.plan-more");
  if (more && window.matchMedia("(min-width: 40rem)").matches) { more.open = true; }
});

// -- the plan editor --
// The concerns and wellbeing sections hold plansign's standard wording in the plan's
// language (each such textarea lists it in every language, data-standard). When the
// plan's language changes, a text still equal to some language's standard wording takes
// the new language's; a text HR changed stays as they wrote it. (Without this script,
// saving or checking the plan does the same on the server.) htmx lints the form a moment
// after the change, so the check sees the new text.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-default-language]")) { return; }
  var language = select.value || select.getAttribute("data-default-language");
  var form = select.form || document;
  var areas = form.querySelectorAll("textarea[data-standard]");
  for (var i = 0; i < areas.length; i++) {
    var texts = JSON.parse(areas[i].getAttribute("data-standard"));
    var now = areas[i].value.replace(/\r\n/g, "\n").trim();
    var standard = Object.keys(texts).some(function (code) { return texts[code] === now; });
    if (standard && typeof texts[language] === "string" && now !== texts[language]) {
      areas[i].value = texts[language];
    }
  }
});
