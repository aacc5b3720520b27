// Announcements: show only the list (waves or teams) that the chosen audience uses, and move
// focus to the publish confirmation when htmx brings it in. Without JavaScript both lists stay
// visible (the server ignores the one that does not apply) and the confirmation is a page.
(function () {
  "use strict";

  function syncAudience(form) {
    var chosen = form.querySelector('input[name="audience"]:checked');
    var value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-audience-for]").forEach(function (box) {
      box.hidden = box.getAttribute("data-audience-for") !== value;
    });
  }

  function init() {
    document.querySelectorAll("form[data-audience-form]").forEach(function (form) {
      syncAudience(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "audience") {
          syncAudience(form);
        }
      });
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "publish-step") {
      var heading = event.target.querySelector("#publish-confirm-heading");
      if (heading) {
        heading.focus();
      }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
