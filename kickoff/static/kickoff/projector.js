// The projector: Escape takes the consultant back to the kick-off page (no inline handler:
// the Content-Security-Policy forbids them).
"use strict";

document.addEventListener("keydown", (event) => {
  const back = document.querySelector("[data-escape-to]");
  if (event.key === "Escape" && back) {
    window.location.href = back.dataset.escapeTo;
  }
});
