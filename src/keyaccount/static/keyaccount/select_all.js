// "Select all" boxes: <input type=checkbox data-ka-select-all="NAME"> ticks every checkbox
// named NAME on the page, and shows itself ticked, unticked or in between as they are. Hidden
// until this script runs (without it, each box is ticked by hand).
(function () {
  "use strict";

  function boxes(name) {
    return Array.prototype.slice.call(
      document.querySelectorAll("input[type=checkbox][name='" + name + "']")
    );
  }

  function update() {
    document.querySelectorAll("input[data-ka-select-all]").forEach(function (all) {
      var mine = boxes(all.dataset.kaSelectAll);
      var ticked = mine.filter(function (box) { return box.checked; }).length;
      var label = all.closest("label") || all;
      label.hidden = mine.length === 0;
      all.checked = mine.length > 0 && ticked === mine.length;
      all.indeterminate = ticked > 0 && ticked < mine.length;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") { return; }
    if (target.dataset.kaSelectAll) {
      boxes(target.dataset.kaSelectAll).forEach(function (box) { box.checked = target.checked; });
    }
    update();
  });
  update();
})();
