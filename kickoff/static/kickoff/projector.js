// Presenter mode (no inline handlers: the Content-Security-Policy forbids them).
// The state lives in the query string (sort, reveal, hl) that the server renders; the keys
// only compute the next URL and fetch the fragment for it, which then keeps polling it.
// The projector also writes its state to localStorage so the speaker notes, open in another
// window of the same browser, follow it.
"use strict";

(() => {
  const SORTS = ["votes", "newest", "consensus", "divisive"];

  function live() {
    return document.getElementById("live-concerns");
  }

  function stateOf(el) {
    return {
      sort: el.dataset.sort || "votes",
      reveal: el.dataset.reveal === "" ? null : Number(el.dataset.reveal),
      hl: el.dataset.highlight || "",
      hTarget: el.dataset.hTarget || "",
      total: Number(el.dataset.total || 0),
      path: el.dataset.path,
    };
  }

  function query(state) {
    const params = new URLSearchParams({ sort: state.sort });
    if (state.reveal !== null) params.set("reveal", String(state.reveal));
    if (state.hl) params.set("hl", state.hl);
    return "?" + params.toString();
  }

  // The state asked for by the last key, until the screen shows it: keys pressed quickly
  // build on it, and a poll that left before the key and lands after it is corrected.
  let wanted = null;

  // hl=latest asks the server for the concern H targets in the asked state; the screen then
  // shows that concern's own key.
  const LATEST = "latest";

  function same(screen, asked) {
    const hl = asked.hl === LATEST ? screen.hl !== "" : screen.hl === asked.hl;
    return screen.sort === asked.sort && screen.reveal === asked.reveal && hl;
  }

  function show(state, targetId) {
    if (targetId === "live-concerns") wanted = state;
    const url = state.path + query(state);
    if (targetId === "live-concerns") window.history.replaceState(null, "", url);
    window.htmx.ajax("GET", url, { target: "#" + targetId, swap: "outerHTML" });
  }

  function store(el) {
    const key = document.body.dataset.presenterStore;
    if (!key || !el) return;
    const state = stateOf(el);
    try {
      window.localStorage.setItem(
        key,
        JSON.stringify({ sort: state.sort, reveal: state.reveal, hl: state.hl }),
      );
    } catch (_error) {
      // Private windows may refuse storage: the notes then keep their own order.
    }
  }

  function toggleKeys(force) {
    const legend = document.getElementById("presenter-keys");
    const button = document.querySelector("[data-keys-toggle]");
    if (!legend) return false;
    const open = force === undefined ? legend.hidden : force;
    legend.hidden = !open;
    if (button) button.setAttribute("aria-expanded", String(open));
    return true;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    const el = live();
    const back = document.querySelector("[data-escape-to]");
    const legend = document.getElementById("presenter-keys");
    if (event.key === "Escape") {
      if (legend && !legend.hidden) toggleKeys(false);
      else if (el && el.dataset.highlight) show({ ...stateOf(el), hl: "" }, "live-concerns");
      else if (back) window.location.href = back.dataset.escapeTo;
      return;
    }
    if (event.key === "?") {
      toggleKeys();
      return;
    }
    if (!el) return;
    // Keys pressed before the screen caught up build on the state asked for; what the screen
    // says of itself (the concern H highlights, the total) comes from the screen: the asked
    // state's copy was the older screen's ("n" then "ArrowRight" then "h" highlighted nothing
    // when the retry of "n" was still on its way).
    const state = wanted
      ? { ...stateOf(el), sort: wanted.sort, reveal: wanted.reveal, hl: wanted.hl }
      : stateOf(el);
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (["1", "2", "3", "4"].includes(key)) {
      state.sort = SORTS[Number(key) - 1];
    } else if (key === "n" || key === "ArrowRight") {
      state.reveal = Math.min((state.reveal === null ? 0 : state.reveal) + 1, state.total);
    } else if (key === "p" || key === "ArrowLeft") {
      if (state.reveal === null) return;
      state.reveal = Math.max(state.reveal - 1, 0);
    } else if (key === "r") {
      state.reveal = state.reveal === null ? 0 : null;
      state.hl = "";
    } else if (key === "h") {
      // The screen's target is right only if the screen shows the asked order and reveal;
      // before it does, the server picks the target of the asked state.
      const screen = stateOf(el);
      const caughtUp = screen.sort === state.sort && screen.reveal === state.reveal;
      state.hl = state.hl ? "" : caughtUp ? state.hTarget : LATEST;
    } else {
      return;
    }
    event.preventDefault();
    show(state, "live-concerns");
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-keys-toggle]")) toggleKeys();
  });
  // While a key's state is on its way, the 3-second poll of the old state is not sent: on a
  // slow server several of them could otherwise land after the key's answer and undo it.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (!wanted) return;
    const config = event.detail.requestConfig || {};
    const target = event.detail.target;
    if (!target || target.id !== "live-concerns" || !config.path) return;
    const asked = new URL(config.path, window.location.href);
    const url = new URL(wanted.path + query(wanted), window.location.href);
    if (asked.pathname + asked.search !== url.pathname + url.search) event.preventDefault();
  });
  // A poll that left before a key and answers after the key's own answer would put the old
  // state back once `wanted` is cleared (a highlight vanished now and then: the presenter
  // test under load). The page's address always holds the state last asked for (show()
  // writes it before asking), so a poll's answer for another state is not swapped in.
  function stateKey(url) {
    const params = new URL(url, window.location.href).searchParams;
    return [params.get("sort") || "votes", params.get("reveal") || "", params.get("hl") || ""]
      .join("|");
  }
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const config = event.detail.requestConfig || {};
    if (!target || target.id !== "live-concerns" || !config.path) return;
    if (event.detail.elt !== target) return; // a sort link's own request, not the poll
    if (stateKey(config.path) !== stateKey(window.location.href)) {
      event.detail.shouldSwap = false;
    }
  });
  // A key's request that failed must not stop the polling for good.
  ["htmx:responseError", "htmx:sendError"].forEach((name) => {
    document.body.addEventListener(name, (event) => {
      if (event.detail.target && event.detail.target.id === "live-concerns") wanted = null;
    });
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const el = event.target;
    if (!el || el.id !== "live-concerns") return;
    if (wanted && !same(stateOf(el), wanted) && (wanted.retries || 0) < 2) {
      // A stale poll landed; twice wrong means the server refused the state (say, a
      // highlight of a concern not revealed): the screen's state then stands.
      show({ ...wanted, retries: (wanted.retries || 0) + 1 }, "live-concerns");
      return;
    }
    wanted = null;
    // The address keeps the concern's own key, not "latest" (a reload then shows the same).
    if (new URL(window.location.href).searchParams.get("hl") === LATEST) {
      const state = stateOf(el);
      window.history.replaceState(null, "", state.path + query(state));
    }
    store(el);
  });
  document.addEventListener("DOMContentLoaded", () => store(live()));

  // The speaker notes follow the projector's state when it changes in another window.
  window.addEventListener("storage", (event) => {
    const notes = document.getElementById("notes-live");
    const holder = document.querySelector("[data-presenter-notes]");
    if (!notes || !holder || event.key !== holder.dataset.presenterNotes || !event.newValue) return;
    const state = JSON.parse(event.newValue);
    show({ ...state, path: notes.dataset.path }, "notes-live");
  });
})();
