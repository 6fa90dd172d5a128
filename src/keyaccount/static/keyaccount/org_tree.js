// The org tree (org/units.html): open and fold units in place, and load what a unit holds
// (its people and its child units) the first time it is opened. Without this script every
// unit's button asks for the page with that unit open (?unit=<id>). No inline script: CSP.
(function () {
  "use strict";

  var BODY_PREFIX = "ka-b-";

  function bodyOf(button) {
    return document.getElementById(button.getAttribute("aria-controls") || "");
  }

  function unitOf(body) {
    return body.id.slice(BODY_PREFIX.length);
  }

  function load(tree, button, body) {
    var url = tree.getAttribute("action") + "?unit=" + encodeURIComponent(unitOf(body));
    button.setAttribute("aria-busy", "true");
    body.setAttribute("aria-busy", "true");
    var done = function (ok) {
      button.removeAttribute("aria-busy");
      body.removeAttribute("aria-busy");
      if (ok) {
        body.setAttribute("data-loaded", "");
      } else {
        var note = document.createElement("p");
        note.className = "ka-org-note ka-org-error";
        note.setAttribute("role", "alert");
        note.textContent = tree.getAttribute("data-error");
        body.replaceChildren(note);
      }
    };
    if (!window.htmx) {
      done(false);
      return;
    }
    var failed = false;
    var onError = function () { failed = true; };
    body.addEventListener("htmx:responseError", onError);
    body.addEventListener("htmx:sendError", onError);
    window.htmx
      .ajax("GET", url, { source: body, target: body, swap: "innerHTML" })
      .then(function () { done(!failed); }, function () { done(false); })
      .finally(function () {
        body.removeEventListener("htmx:responseError", onError);
        body.removeEventListener("htmx:sendError", onError);
      });
  }

  function toggle(tree, button) {
    var body = bodyOf(button);
    if (!body || button.getAttribute("aria-busy") === "true") {
      return;
    }
    var opening = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", opening ? "true" : "false");
    body.hidden = !opening;
    if (opening && !body.hasAttribute("data-loaded")) {
      load(tree, button, body);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".ka-org-tree button[aria-controls]");
    if (!button) {
      return;
    }
    event.preventDefault(); // in place, not the page with ?unit= (the form's answer without JS)
    toggle(button.closest(".ka-org-tree"), button);
  });
})();
