// The kick-off room's polled fragments (the projector's concerns, the speaker notes, the join
// page's list) carry their ETag in data-etag (kickoff/live.py). Each poll sends it back as
// If-None-Match; the server answers 304 when nothing changed, and the fragment stays as it is
// (no swap: keyboard focus and a half-read line stay where they were).
"use strict";

(() => {
  document.addEventListener("htmx:configRequest", (event) => {
    const holder = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-etag]");
    if (holder && holder.dataset.etag && event.detail.verb === "get") {
      event.detail.headers["If-None-Match"] = holder.dataset.etag;
    }
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr && event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
    }
  });
})();
