/* Only in the page `pledge-timeline serve --watch` serves, never in a built one: follows the
 * server's event stream. After a good rebuild the page reloads, keeping the filter and the
 * part of the list in view; after an invalid save the problems, as `check` prints them, are
 * shown over the last good timeline until the next good save. It runs after the list is parsed
 * and before DOMContentLoaded, so the page's own script applies a restored filter itself. */
(function () {
  "use strict";

  var KEY = "pledge-timeline-live";
  var OVERLAY_ID = "live-problems";
  var script = document.currentScript;
  var form = document.getElementById("filters");

  function toggles() {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  }

  // The first entry of the list whose bottom is below the top of the window.
  function firstEntryInView() {
    var items = document.querySelectorAll("#event-list > li.event:not([hidden])");
    for (var index = 0; index < items.length; index += 1) {
      if (items[index].getBoundingClientRect().bottom > 0) {
        return items[index];
      }
    }
    return null;
  }

  function saveState() {
    var state = { query: "", off: [], y: window.scrollY, anchor: null, offset: 0 };
    if (form !== null) {
      state.query = document.getElementById("filter-text").value;
      state.off = toggles().filter(function (toggle) {
        return !toggle.checked;
      }).map(function (toggle) {
        return toggle.value;
      });
    }
    var list = document.getElementById("event-list");
    if (list !== null && list.getBoundingClientRect().top < 0) {
      var entry = firstEntryInView();
      if (entry !== null) {
        state.anchor = entry.id;
        state.offset = entry.getBoundingClientRect().top;
      }
    }
    window.sessionStorage.setItem(KEY, JSON.stringify(state));
  }

  function restoreFilter(state) {
    if (form === null) {
      return;
    }
    document.getElementById("filter-text").value = state.query;
    toggles().forEach(function (toggle) {
      toggle.checked = state.off.indexOf(toggle.value) === -1;
    });
  }

  function restoreScroll(state) {
    var entry = state.anchor ? document.getElementById(state.anchor) : null;
    if (entry !== null && !entry.hidden) {
      window.scrollTo(0, window.scrollY + entry.getBoundingClientRect().top - state.offset);
    } else {
      window.scrollTo(0, state.y);
    }
    window.history.scrollRestoration = "auto";
  }

  function hideProblems() {
    var overlay = document.getElementById(OVERLAY_ID);
    if (overlay !== null) {
      overlay.parentNode.removeChild(overlay);
    }
  }

  function showProblems(report) {
    hideProblems();
    var overlay = document.createElement("div");
    overlay.id = OVERLAY_ID;
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position: fixed; z-index: 1000; top: 0; left: 0; right: 0; max-height: 60vh; " +
      "overflow: auto; padding: 0.75rem 1rem; background: var(--paper); color: var(--ink); " +
      "border-bottom: 4px solid #c62828; box-shadow: 0 2px 12px rgba(0, 0, 0, 0.35);";
    var heading = document.createElement("p");
    heading.style.cssText = "margin: 0 0 0.5rem; font-weight: 700;";
    heading.textContent = report.summary + " The page shows the last good build.";
    var lines = document.createElement("pre");
    lines.style.cssText = "margin: 0; white-space: pre-wrap; font-size: 0.9rem;";
    lines.textContent = report.lines.join("\n");
    overlay.appendChild(heading);
    overlay.appendChild(lines);
    document.body.appendChild(overlay);
  }

  var saved = null;
  try {
    saved = JSON.parse(window.sessionStorage.getItem(KEY));
  } catch (error) {
    saved = null;
  }
  window.sessionStorage.removeItem(KEY);
  if (saved !== null) {
    restoreFilter(saved);
    if (document.readyState === "loading") {
      // Registered after the page's own script's: the filter is applied before this runs.
      document.addEventListener("DOMContentLoaded", function () {
        restoreScroll(saved);
      });
    } else {
      restoreScroll(saved);
    }
  }

  var stream = new window.EventSource(script.getAttribute("data-stream"));
  stream.addEventListener("reload", function () {
    stream.close();
    saveState();
    window.history.scrollRestoration = "manual";
    window.location.reload();
  });
  stream.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data));
  });
  stream.addEventListener("ok", hideProblems);
})();
