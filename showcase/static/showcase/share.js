// The share step of a marketing pick: "Copy" buttons put the seller's own words (or the
// disclosure line) on the clipboard, and opening LinkedIn reveals "Did you share it?".
(function () {
  "use strict";

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("data-status"));
    if (status) { status.textContent = text; }
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = "value" in source ? source.value : source.textContent;
    text = text.trim();
    if (!text) {
      say(button, button.getAttribute("data-empty") || "");
      if (source.focus) { source.focus(); }
      return;
    }
    var done = function () { say(button, button.getAttribute("data-done") || ""); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(source, done); });
    } else {
      fallback(source, done);
    }
  }

  function fallback(source, done) {
    if (source.select) {
      source.select();
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    try { document.execCommand("copy"); done(); } catch (error) { /* selected: copy by hand */ }
  }

  // Served hidden: a copy button shows only once this script can make it work (before, or
  // where scripts are blocked, selecting the text by hand still does).
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.hidden = false;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) { copy(button); return; }
    var opener = event.target.closest("[data-share-open]");
    if (opener) {
      var back = document.getElementById(opener.getAttribute("data-share-open"));
      if (back) { back.hidden = false; }
    }
  });
})();
