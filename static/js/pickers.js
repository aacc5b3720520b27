// People pickers: every <select data-picker> (programme/widgets.py) becomes a Tom Select that
// searches by name, e-mail and team. Without JavaScript, or if Tom Select did not load, the
// native select stays and works. Runs on page load and on whatever htmx swaps in.
(function () {
  "use strict";

  function escapeAll(escape, data) {
    var meta = [data.email, data.team].filter(Boolean).map(escape).join(" · ");
    return { name: escape(data.name || data.text || ""), meta: meta };
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    var plugins = {};
    if (select.multiple) {
      plugins.remove_button = { title: select.getAttribute("data-picker-remove") || "Remove" };
    }
    var picker = new window.TomSelect(select, {
      plugins: plugins,
      searchField: ["name", "email", "team", "text"],
      maxOptions: null,
      allowEmptyOption: true,
      closeAfterSelect: !select.multiple,
      clearAfterSelect: true,
      // A single choice always shows its chosen item (or the empty one): typing searches.
      placeholder: select.multiple ? select.getAttribute("data-picker-placeholder") || "" : "",
      hidePlaceholder: false,
      render: {
        option: function (data, escape) {
          if (!data.value) {
            return '<div class="picker-option">' + escape(data.text || "") + "</div>";
          }
          var parts = escapeAll(escape, data);
          return (
            '<div class="picker-option"><span class="picker-name">' + parts.name + "</span>" +
            (parts.meta ? '<span class="picker-meta">' + parts.meta + "</span>" : "") +
            "</div>"
          );
        },
        item: function (data, escape) {
          return "<div>" + escape(data.name || data.text || "") + "</div>";
        },
        no_results: function () {
          var text = select.getAttribute("data-picker-no-results") || "";
          var node = document.createElement("div");
          node.className = "no-results";
          node.textContent = text;
          return node;
        },
      },
    });
    // Tom Select points the <label> at its search box; the hidden select keeps its name too.
    var label = document.getElementById(picker.inputId + "-ts-label");
    if (label) {
      select.setAttribute("aria-labelledby", label.id);
    }
  }

  function enhanceWithin(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches("select[data-picker]")) {
      enhance(root);
    }
    root.querySelectorAll("select[data-picker]").forEach(enhance);
  }

  document.addEventListener("htmx:load", function (event) {
    enhanceWithin(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceWithin(document);
    });
  } else {
    enhanceWithin(document);
  }
})();
