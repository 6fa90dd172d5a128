// The customer page: on a phone the tab bar scrolls sideways; keep the open tab in view.
(function () {
  "use strict";
  var active = document.querySelector(".ka-tabs .nav-link.active");
  var bar = active && active.closest(".ka-tabs-header");
  if (!bar) { return; }
  var left = active.offsetLeft - (bar.clientWidth - active.offsetWidth) / 2;
  bar.scrollLeft = Math.max(0, left);
})();
