// Allocating customers.
// - The KA list: how many customers are ticked, and a box in the table's heading that ticks the
//   whole page. The list's results are swapped by htmx, so everything is found at event time.
//   Without this script the allocation still works (the form shows once a box is ticked: CSS).
// - The allocation page: after a refused allocation the page shows the address that shows it
//   again for the same customers, so a refresh is a plain visit, not the POST sent again.
(function () {
  "use strict";

  var pageUrl = document.querySelector("[data-ka-page-url]");
  if (pageUrl && pageUrl.dataset.kaPageUrl && window.history.replaceState) {
    window.history.replaceState(null, "", pageUrl.dataset.kaPageUrl);
  }

  function boxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll("input[type=checkbox][name=customers][form=ka-allocate]")
    );
  }

  function update() {
    var all = boxes();
    var ticked = all.filter(function (box) { return box.checked; }).length;
    document.querySelectorAll("[data-ka-ticked]").forEach(function (status) {
      status.hidden = false;
      var count = status.querySelector("[data-ka-ticked-count]");
      if (count) { count.textContent = String(ticked); }
    });
    document.querySelectorAll("input[data-ka-tick-all]").forEach(function (tickAll) {
      tickAll.hidden = all.length === 0;
      tickAll.checked = all.length > 0 && ticked === all.length;
      tickAll.indeterminate = ticked > 0 && ticked < all.length;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) { return; }
    if (target.matches("input[data-ka-tick-all]")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
      update();
    } else if (target.matches("input[name=customers][form=ka-allocate]")) {
      update();
    }
  });
  // A reset button unticks the boxes after its event: count once it has.
  document.addEventListener("reset", function () { window.setTimeout(update, 0); });
  document.body.addEventListener("htmx:afterSettle", update);
  update();
})();
