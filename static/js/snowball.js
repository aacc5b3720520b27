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
