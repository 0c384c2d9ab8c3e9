// Likeperson: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Phones: the menu and the role switcher fold behind one "Menu" button (the CSS hides them
  // while the button says aria-expanded="false"; without this script they simply show).
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) { return; }
    document.documentElement.classList.add("has-menu-toggle");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
    });
    document.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  });

  // A form that failed validation: move focus to the error summary so it is read out first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); return; }
    // A form marked data-autofocus (the one thing the page is for) takes focus on its first field.
    var first = document.querySelector("form[data-autofocus] input:not([type=hidden])");
    if (first) { first.focus(); }
  });

  // After an htmx swap that removed the focused element, put focus somewhere sensible: the
  // swapped-in element marked data-focus-after-swap (e.g. the row's new button), else an error
  // summary in the new content.
  document.addEventListener("htmx:afterSwap", function (evt) {
    // Focus still where the user is (e.g. typing in a search field): leave it there.
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var target = evt.detail && evt.detail.target;
    // With hx-swap="outerHTML" the target is the element that was replaced: find its successor.
    if (target && !target.isConnected && target.id) { target = document.getElementById(target.id); }
    if (!target || !target.isConnected) { return; }
    var wanted = target.matches("[data-focus-after-swap]") ? target : target.querySelector("[data-focus-after-swap]");
    if (wanted) {
      wanted.focus();
      return;
    }
    var summary = target.querySelector("#error-summary");
    if (summary) { summary.focus(); }
  });
})();
