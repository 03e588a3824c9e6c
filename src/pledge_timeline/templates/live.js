/* Only in the page `pledge-timeline serve --watch` serves, never in a built one: follows the
 * server's event stream. After a good rebuild the new page replaces this one's body in place
 * (plotly.js is not loaded again), keeping the filter and the part of the list in view; if that
 * fails, the page reloads, keeping them too. After an invalid save the problems, as `check`
 * prints them, are shown over the last good timeline until the next good save.
 * It runs after the list is parsed and before DOMContentLoaded, so after a reload the page's own
 * script applies a restored filter itself. */
(function () {
  "use strict";

  var KEY = "pledge-timeline-live";
  var OVERLAY_ID = "live-problems";
  var script = document.currentScript;
  var streamUrl = script.getAttribute("data-stream");
  var stream = null;
  var form = document.getElementById("filters");

  function toggles() {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  }

  // The page's own script, the last script of the chart's section (the template's order), as
  // this page was served: it runs again on each new build's page.
  var appScripts = document.querySelectorAll("section.chart-section > script:not([type])");
  var appSource = appScripts.length ? appScripts[appScripts.length - 1].textContent : null;

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

  function currentState() {
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
    return state;
  }

  function reload() {
    window.sessionStorage.setItem(KEY, JSON.stringify(currentState()));
    window.history.scrollRestoration = "manual";
    window.location.reload();
  }

  function runApp() {
    var app = document.createElement("script");
    app.textContent = appSource; // allowed by the same hash
    document.body.appendChild(app);
  }

  // The new build's page in place of this one: its body, title and style, with the entries the
  // filter hides hidden at once; once that is painted, the page's own script runs again on it
  // (the list is there, so it applies the restored filter at once) and draws the chart.
  function swapIn(html) {
    var next = new window.DOMParser().parseFromString(html, "text/html");
    var nextLive = next.querySelector("script[data-stream]");
    var style = document.head.querySelector("style");
    var nextStyle = next.head.querySelector("style");
    if (appSource === null || nextLive === null || style === null || nextStyle === null) {
      reload();
      return;
    }
    var state = currentState();
    var hidden = Array.prototype.map.call(document.querySelectorAll("#event-list > li.event[hidden]"), function (item) {
      return item.id;
    });
    var chart = document.getElementById("timeline-chart");
    if (window.Plotly && chart !== null) {
      window.Plotly.purge(chart);
    }
    // Scripts moved into this document would run: plotly.js is here already, this script goes
    // on as it is, and the page's own script runs once, below.
    Array.prototype.forEach.call(next.body.querySelectorAll("script:not([type])"), function (old) {
      old.parentNode.removeChild(old);
    });
    document.title = next.title;
    style.textContent = nextStyle.textContent;
    document.body.replaceWith(document.adoptNode(next.body));
    hidden.forEach(function (id) {
      var item = document.getElementById(id);
      if (item !== null) {
        item.hidden = true;
      }
    });
    form = document.getElementById("filters");
    restoreFilter(state);
    restoreScroll(state);
    follow(nextLive.getAttribute("data-stream"));
    window.requestAnimationFrame(function () {
      window.setTimeout(function () {
        runApp();
        restoreScroll(state); // the page's script shows the event the address names: stay put
      }, 0);
    });
  }

  function update() {
    window.fetch(window.location.pathname, { cache: "no-store" }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.text();
    }).then(swapIn).catch(reload);
  }

  function restoreFilter(state) {
    if (form === null) {
      return;
    }
    form.querySelector("#filter-text").value = state.query;
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

  // The stream names the build this page shows: a page of another build gets "reload" at once.
  function follow(url) {
    if (stream !== null) {
      stream.close();
    }
    streamUrl = url;
    stream = new window.EventSource(streamUrl);
    stream.addEventListener("reload", function () {
      stream.close();
      update();
    });
    stream.addEventListener("problems", function (event) {
      showProblems(JSON.parse(event.data));
    });
    stream.addEventListener("ok", hideProblems);
  }

  follow(streamUrl);
})();
