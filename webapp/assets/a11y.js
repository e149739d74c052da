/* Accessibility repairs to components the app does not draw itself (Dash 4's dropdown and date picker, Plotly's
   charts), applied to the page as the components render and re-applied when they render again. Each repair says
   what axe-core (tests/browser/test_accessibility.py) or a screen reader found wrong.
   Served from assets/ like the rest of the app's files (the Content-Security-Policy allows this host's scripts). */
(function () {
  "use strict";

  function set(el, name, value) {
    if (el.getAttribute(name) !== value) { el.setAttribute(name, value); }
  }

  function drop(el, name) {
    if (el.hasAttribute(name)) { el.removeAttribute(name); }
  }

  function existing(ids) {
    return ids.filter(function (id) { return id && id !== "undefined" && document.getElementById(id); });
  }

  // Dropdown: Dash puts the tab stop on a hidden input (aria-hidden, yet focusable: axe aria-hidden-focus) that
  // passes focus on to the real control, a button named by the values it shows (out of their visible order, and
  // without the field's label: axe label-content-name-mismatch). The button takes the tab stop itself and is what
  // it acts as, a select-only combobox (WAI-ARIA APG): named by the field's label, its values read as its value
  // ("Platforms, combobox, Facebook, Instagram, 2 selected").
  function dropdown(wrapper) {
    var proxy = wrapper.querySelector(":scope > .dash-dropdown-focus-target");
    var button = wrapper.querySelector(":scope > button.dash-dropdown");
    if (!button) { return; }
    if (proxy) { set(proxy, "tabindex", "-1"); }
    if (!button.disabled) { set(button, "tabindex", "0"); }
    var label = button.id && document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
    if (!label) { return; }
    if (!label.id) { label.id = button.id + "-label"; }
    set(button, "role", "combobox");
    set(button, "aria-labelledby", label.id);
  }

  // Date picker: the box around the two date inputs carries a popup's state with no role to hold it (axe:
  // aria-allowed-attr) and names inputs that do not exist ("undefined"); the inputs are named and focusable.
  function datepicker(box) {
    set(box, "role", "group");
    drop(box, "aria-expanded");
    drop(box, "aria-haspopup");
    drop(box, "aria-disabled");
    var names = existing((box.getAttribute("aria-labelledby") || "").split(/\s+/));
    if (names.length) { set(box, "aria-labelledby", names.join(" ")); } else { drop(box, "aria-labelledby"); }
  }

  // The date picker's "clear" is a link without an address: named, but no control (axe: aria-prohibited-attr),
  // and out of reach of the keyboard.
  function clearButton(link) {
    set(link, "role", "button");
    set(link, "tabindex", "0");
    if (!link.dataset.paKeys) {
      link.dataset.paKeys = "1";
      link.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); link.click(); }
      });
    }
  }

  // A chart's drawing is read out as its card's sentence and table (webapp/card_a11y.py), not as hundreds of tick
  // labels and shapes.
  function chart(svg) {
    set(svg, "aria-hidden", "true");
  }

  var REPAIRS = [
    [".dash-dropdown-wrapper", dropdown],
    [".dash-datepicker-input-wrapper", datepicker],
    ["a.dash-datepicker-clear", clearButton],
    [".js-plotly-plot svg.main-svg", chart],
  ];

  function repairAll() {
    REPAIRS.forEach(function (pair) {
      document.querySelectorAll(pair[0]).forEach(pair[1]);
    });
  }

  // React sets its attributes again when a component renders (and the dropdown's focus input gets its tab stop back
  // on every blur): repair after each change, before the browser paints or takes the next key.
  function start() {
    repairAll();
    new MutationObserver(repairAll).observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["tabindex", "aria-labelledby", "aria-expanded", "aria-haspopup", "aria-disabled"],
    });
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
}());
