// Type-ahead pickers (core/typeahead.py): htmx swaps the suggestions under the search box as
// the user types; this script opens and closes the list, moves through it with the arrow keys,
// and picks with Enter, a click or a tap: the id goes into the hidden input, which then sends a
// "change" (a filter form reloads its results on it). Leaving the box without picking puts the
// current pick's label back; emptying it clears the pick. Everything is found at event time:
// filter forms and dialogs are swapped in by htmx.
(function () {
  "use strict";

  function parts(element) {
    var root = element && element.closest("[data-ka-typeahead]");
    if (!root) { return null; }
    return {
      root: root,
      value: root.querySelector("[data-ka-typeahead-value]"),
      input: root.querySelector("[data-ka-typeahead-input]"),
      list: root.querySelector(".ka-typeahead-options"),
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[data-ka-pick]"));
  }

  function open(p, show) {
    p.list.classList.toggle("show", show);
    p.input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) { p.input.removeAttribute("aria-activedescendant"); }
  }

  function activate(p, index) {
    var all = options(p);
    all.forEach(function (option, i) {
      var on = i === index;
      option.classList.toggle("active", on);
      option.setAttribute("aria-selected", on ? "true" : "false");
      if (!option.id) { option.id = p.list.id + "_" + i; }
      if (on) {
        p.input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function current(p) {
    return options(p).findIndex(function (option) { return option.classList.contains("active"); });
  }

  function pick(p, option) {
    var changed = p.value.value !== option.dataset.kaPick;
    p.value.value = option.dataset.kaPick;
    p.input.value = option.dataset.kaLabel;
    p.input.dataset.kaLabel = option.dataset.kaLabel;
    p.input.classList.remove("is-invalid");  // a refused form's mark goes once a pick is made
    open(p, false);
    if (changed) { p.value.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  function clear(p) {
    var changed = p.value.value !== "";
    p.value.value = "";
    p.input.dataset.kaLabel = "";
    if (changed) { p.value.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  // The search box's own "change" is not a pick: keep it from the filter form.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-ka-typeahead-input]")) {
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-ka-typeahead-input]")) {
      event.target.select();
    }
  });

  document.addEventListener("input", function (event) {
    var p = event.target.matches && event.target.matches("[data-ka-typeahead-input]") && parts(event.target);
    if (p && p.input.value.trim() === "") { clear(p); }
  });

  document.addEventListener("keydown", function (event) {
    var p = event.target.matches && event.target.matches("[data-ka-typeahead-input]") && parts(event.target);
    if (!p) { return; }
    var all = options(p);
    var at = current(p);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) { return; }
      event.preventDefault();
      open(p, true);
      var step = event.key === "ArrowDown" ? 1 : -1;
      activate(p, at < 0 ? (step > 0 ? 0 : all.length - 1) : (at + step + all.length) % all.length);
    } else if (event.key === "Enter") {
      if (p.list.classList.contains("show") && all.length) {
        event.preventDefault();  // never submit the form with a half-typed name
        pick(p, all[at < 0 ? 0 : at]);
      }
    } else if (event.key === "Escape") {
      if (p.list.classList.contains("show")) {
        event.preventDefault();
        open(p, false);
      }
    }
  });

  // mousedown (not click): the box must not lose its focus, and its list, before the pick.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-ka-pick]");
    var p = option && parts(option);
    if (p) {
      event.preventDefault();
      pick(p, option);
    }
  });
  // Keyboard users of a screen reader "click" the option instead.
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-ka-pick]");
    var p = option && parts(option);
    if (p && event.detail === 0) { pick(p, option); }
  });

  document.addEventListener("focusout", function (event) {
    var p = event.target.matches && event.target.matches("[data-ka-typeahead-input]") && parts(event.target);
    if (!p) { return; }
    window.setTimeout(function () {
      if (p.root.contains(document.activeElement)) { return; }
      open(p, false);
      if (p.input.value.trim() === "") { clear(p); } else { p.input.value = p.input.dataset.kaLabel || ""; }
    }, 0);
  });

  // Focusing a box that shows its pick lists the first choices, not just the pick itself.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!(input.matches && input.matches("[data-ka-typeahead-input]"))) { return; }
    var trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "focus" && input.value === (input.dataset.kaLabel || "")) {
      event.detail.parameters.q = "";
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var p = event.target.classList && event.target.classList.contains("ka-typeahead-options") && parts(event.target);
    if (!p) { return; }
    // Which text this list answers (a test, or a script, can wait for the answer to its typing).
    var url = event.detail.xhr && event.detail.xhr.responseURL;
    p.list.dataset.kaAnswered = url ? (new URL(url).searchParams.get("q") || "") : "";
    if (document.activeElement !== p.input) { return; }
    open(p, p.list.children.length > 0);
    if (options(p).length) { activate(p, 0); }
  });
})();
