// The printable forms' "Print" button (no inline script: CSP).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-ka-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
