// The opportunity page and its dialogs (gate, move back, won, lost, abandon, reopen).
// No inline script anywhere (CSP): everything the page does beyond htmx attributes is here.
(function () {
  "use strict";

  // On a phone the tab bar scrolls sideways; keep the open tab in view.
  var active = document.querySelector(".ka-tabs .nav-link.active");
  var bar = active && active.closest(".ka-tabs-header");
  if (bar) {
    bar.scrollLeft = Math.max(0, active.offsetLeft - (bar.clientWidth - active.offsetWidth) / 2);
  }

  // A refused gate, a form with errors (400) or a stale edit (409) answers with the form or
  // the dialog to show again: swap it in, inside the parts of the page that ask for it.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var elt = event.detail.elt;
    if ((status === 400 || status === 403 || status === 409) && elt && elt.closest && elt.closest("[data-ka-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The dialog shows "loading" again when closed, so the next one never flashes the last one.
  var dialog = document.getElementById("ka-dialog");
  var content = document.getElementById("ka-dialog-content");
  if (dialog && content && dialog.contains(content)) {
    var loading = content.innerHTML;
    dialog.addEventListener("hidden.bs.modal", function () {
      content.innerHTML = loading;
    });
    // A dialog the server could not give (403, 404, 500): fall back to its own page.
    document.body.addEventListener("htmx:responseError", function (event) {
      var elt = event.detail.elt;
      if (elt && elt.getAttribute && elt.getAttribute("data-bs-target") === "#ka-dialog") {
        window.location.href = elt.getAttribute("href");
      }
    });
  }
})();
