/* The signer's page. The Content-Security-Policy allows no inline script, so all of it is
   here, and all of it is an aid: every form works without it.
   - the hidden "timezone" fields get the browser's IANA zone;
   - the skip link and the error summary's links move focus to the field itself;
   - what the signer types is kept in this browser until it has been sent, so a session
     that ended before sending loses nothing (ticks are not kept: they are given afresh);
   - times are also given in the browser's own zone when it differs from the page's. */
(function () {
  "use strict";

  var main = document.getElementById("main");
  if (!main) { return; }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }
  var zone = browserZone();

  Array.prototype.forEach.call(document.querySelectorAll("input[data-timezone]"), function (input) {
    input.value = zone;
  });

  /* -- Focus: skip link, "Go to your response", the error summary's links ---------------- */

  function focusTarget(id) {
    var target = document.getElementById(id);
    if (!target) { return false; }
    var details = target.closest("details");
    if (details) { details.open = true; }
    if (!target.matches("input, textarea, select, button, a[href], summary") &&
        !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    target.scrollIntoView({ block: "center" });
    return true;
  }

  function focusOnClick(link) {
    link.addEventListener("click", function (event) {
      var href = link.getAttribute("href") || "";
      if (href.charAt(0) === "#" && focusTarget(href.slice(1))) { event.preventDefault(); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[data-skip]"), focusOnClick);

  var summary = document.getElementById("error-summary");
  if (summary) {
    Array.prototype.forEach.call(summary.querySelectorAll("a[href^='#']"), focusOnClick);
    summary.focus();
  }

  /* -- Drafts: kept per signer, per form, per field, until sent ---------------------------- */

  var store = null;
  try {
    store = window.localStorage;
    store.setItem("plansign.probe", "1");
    store.removeItem("plansign.probe");
  } catch (e) { store = null; }

  var signer = main.getAttribute("data-draft-key");
  var prefix = "plansign.draft." + signer + ".";
  // What a "done" notice says was sent, as the forms (data-draft) whose drafts it ends.
  var SENT = {
    acknowledge: ["acknowledge", "refuse"], refuse: ["acknowledge", "refuse"],
    already: ["acknowledge", "refuse", "confirm", "decline"],
    confirm: ["confirm", "decline"], decline: ["confirm", "decline", "record_refusal"],
    comment: ["comment"], already_commented: ["comment"],
    record_refusal: ["record_refusal"],
    already_recorded: ["record_refusal"]
  };

  function forget(formName) {
    if (!store) { return; }
    var stale = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(prefix + formName + ".") === 0) { stale.push(key); }
    }
    stale.forEach(function (key) { store.removeItem(key); });
  }

  // A draft is kept until the signing link stops working (data-deadline), and never
  // longer than a plan can be open to answers; on a shared computer, what someone typed
  // and never sent does not stay for ever.
  var KEEP_MS = 60 * 24 * 3600 * 1000;
  var deadline = Date.parse(main.getAttribute("data-deadline") || "");  // NaN: none given

  function stillKept(at) {
    var now = Date.now();
    return now - at < KEEP_MS && !(now >= deadline);
  }

  function readDraft(key) {
    var draft = null;
    try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
    if (!draft || typeof draft.text !== "string" || !stillKept(draft.at)) {
      store.removeItem(key);
      return "";
    }
    return draft.text;
  }

  function formsOnPage() {
    var names = {};
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      names[form.getAttribute("data-draft")] = form;
    });
    return names;
  }

  if (store && signer) {
    var forms = formsOnPage();
    var done = main.getAttribute("data-done");
    (Object.prototype.hasOwnProperty.call(SENT, done) ? SENT[done] : []).forEach(forget);
    // A draft for a form the page no longer offers (the signer has decided) is of no use.
    ["acknowledge", "refuse", "confirm", "decline", "comment", "record_refusal"].forEach(function (name) {
      if (!forms[name]) { forget(name); }
    });

    Object.keys(forms).forEach(function (name) {
      var form = forms[name];
      var restored = false;
      var fields = form.querySelectorAll("textarea, input[type=text], input:not([type])");
      Array.prototype.forEach.call(fields, function (field) {
        var key = prefix + name + "." + field.name;
        var kept = readDraft(key);
        if (kept && !field.value) {
          field.value = kept;
          restored = true;
        }
        field.addEventListener("input", function () {
          try {
            if (field.value) {
              store.setItem(key, JSON.stringify({ text: field.value, at: Date.now() }));
            } else {
              store.removeItem(key);
            }
          } catch (e) { /* storage full: the form still works */ }
        });
      });
      if (restored) {
        var note = document.createElement("p");
        note.className = "notice restored";
        note.setAttribute("role", "status");
        // The words come from the page, in its language (sign.html's data-restored).
        note.textContent = main.getAttribute("data-restored") ||
          "We filled in what you typed here earlier. It has not been sent yet.";
        // Only text is kept: a tick (consent above all) is given afresh, so the note
        // does not let the signer think the whole form is as they left it.
        if (form.querySelector("input[type=checkbox]:not(:checked)")) {
          note.textContent += " " + (main.getAttribute("data-restored-ticks") ||
            "Any boxes you had ticked are not kept: tick them again before you send it.");
        }
        form.insertBefore(note, form.firstChild);
        var details = form.closest("details");
        if (details) { details.open = true; }
      }
    });
  }

  /* -- Times in the signer's own zone ---------------------------------------------------
     The server writes each time in the plan's zone, named; where the browser is in
     another zone, the time is written again in the browser's, in the same form:
     "Sunday 6 December 2026, 21:02 CST (America/Chicago)". */

  var lang = document.documentElement.lang || "en";
  // In a right-to-left page the zone's Latin name is isolated (U+2068 ... U+2069) and
  // held to its time by a no-break space, as the server writes it
  // (docgen.languages.clock_in_zone).
  var rtl = document.documentElement.dir === "rtl";
  function zoneShown(name) { return rtl ? "\u2068" + name + "\u2069" : name; }

  // French writes the first of a month "1er août", as the server does (docgen/dates.py).
  function fullDate(at) {
    var format = new Intl.DateTimeFormat(lang, { timeZone: zone, dateStyle: "full" });
    if (lang.slice(0, 2) !== "fr" || !format.formatToParts) { return format.format(at); }
    return format.formatToParts(at).map(function (p) {
      return p.type === "day" && p.value === "1" ? "1er" : p.value;
    }).join("");
  }

  function shortName(at, locale) {
    var short = "";
    new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
      .formatToParts(at).forEach(function (p) { if (p.type === "timeZoneName") { short = p.value; } });
    return short;
  }

  // The zone named by the server's rule (docgen.languages.zone_abbreviation): the page's
  // language's own abbreviation (German "MEZ"), else the letters tzdata gives ("CST",
  // "CET"), else the offset ("UTC+4", "UTC+5:45", "UTC-3"). The browser has no tzdata
  // names: American English gives the American zones' letters, British English the
  // European ones' (only those: its "GST" for Dubai is not tzdata's, which is "+04").
  var EUROPEAN = /^(GMT|BST|IST|WES?T|CES?T|EES?T)$/;
  function zoneName(at) {
    var own = lang === "en" ? "" : shortName(at, lang);
    if (/^[A-Z]{2,6}$/.test(own)) { return own; }
    var american = shortName(at, "en-US");
    if (/^[A-Z]{2,6}$/.test(american)) { return american; }
    var british = shortName(at, "en-GB");
    if (EUROPEAN.test(british)) { return british; }
    return american.replace(/^GMT(?=[+-])/, "UTC").replace(/^GMT$/, "UTC");
  }

  // A time and its zone as the server writes them (docgen.languages.clock_in_zone):
  // German adds "Uhr"; in Arabic the time and the isolated zone are held together.
  function clockInZone(time, short) {
    if (!short) { return time; }
    if (rtl) { return time.replace(/ /g, "\u00a0") + "\u00a0" + zoneShown(short); }
    return time + (lang === "de" ? " Uhr " : " ") + short;
  }

  function inZone(at) {
    var part = {};
    var named = zone === "UTC" || zone === "Etc/UTC" ? "" : " (" + zoneShown(zone) + ")";
    var short = zoneName(at);
    if (lang !== "en") {
      // The page's language writes its own full date and time, as the server does (Babel).
      var day = fullDate(at);
      var time = new Intl.DateTimeFormat(lang, { timeZone: zone, timeStyle: "short" }).format(at);
      var comma = lang === "ar" ? "\u060c " : ", ";  // Arabic's own comma, as the server writes it
      return day + comma + clockInZone(time, short) + named;
    }
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(at).forEach(function (p) { part[p.type] = p.value; });
    return part.weekday + " " + part.day + " " + part.month + " " + part.year + ", " +
      part.hour + ":" + part.minute + (short ? " " + short : "") + named;
  }

  var pageZone = main.getAttribute("data-zone");
  if (zone && pageZone && zone !== pageZone && Intl.DateTimeFormat.prototype.formatToParts) {
    Array.prototype.forEach.call(document.querySelectorAll("time[datetime]"), function (time) {
      var at = new Date(time.getAttribute("datetime"));
      if (isNaN(at.getTime())) { return; }
      try { time.textContent = inZone(at); } catch (e) { /* the plan's zone stays */ }
    });
  }
}());
