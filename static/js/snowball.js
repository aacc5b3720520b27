// Small behaviours that must not be inline handlers (the Content-Security-Policy forbids them).
"use strict";

// <button data-print>: print the page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// <form data-go-to-choice>: go straight to the address chosen in its <select name="go">.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-go-to-choice]");
  if (form && form.elements.go && form.elements.go.value) {
    event.preventDefault();
    window.location.href = form.elements.go.value;
  }
});

// A table that scrolls sideways (on a phone) must be reachable by keyboard and named, so it
// can be scrolled without a mouse (WCAG 2.1.1; axe "scrollable-region-focusable").
function markScrollableRegions(root) {
  root.querySelectorAll(".table-responsive, main table").forEach((el) => {
    const style = getComputedStyle(el);
    const scrolls = el.scrollWidth > el.clientWidth + 1 && /(auto|scroll)/.test(style.overflowX);
    if (!scrolls || el.hasAttribute("tabindex")) {
      return;
    }
    el.setAttribute("tabindex", "0");
    if (el.tagName !== "TABLE" && !el.hasAttribute("role")) {
      const caption = el.querySelector("caption");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", caption ? caption.textContent.trim() : document.body.dataset.scrollLabel);
    }
  });
}
document.addEventListener("DOMContentLoaded", () => markScrollableRegions(document));
document.addEventListener("htmx:afterSettle", (event) => markScrollableRegions(event.target));
window.addEventListener("resize", () => markScrollableRegions(document));
