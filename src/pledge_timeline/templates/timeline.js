/* timeline.html: draws the chart, filters chart and list together, follows the color scheme. */
(function () {
  "use strict";

  var POINT_KEYS = ["x", "y", "base", "customdata"];
  var figure = JSON.parse(document.getElementById("timeline-figure").textContent);
  var chart = document.getElementById("timeline-chart");
  var form = document.getElementById("filters");
  var query = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var noMatch = document.getElementById("no-match");
  var items = Array.prototype.slice.call(document.querySelectorAll("#event-list > li.event"));
  var toggles = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var untaggedToggle = form.querySelector("input[type=checkbox][value='']");
  var darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var shownIds = null; // null: every event is shown
  var chartReady = false;

  function clone(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function merged(base, extra) {
    var result = clone(base);
    Object.keys(extra).forEach(function (key) {
      result[key] = isObject(result[key]) && isObject(extra[key]) ? merged(result[key], extra[key]) : clone(extra[key]);
    });
    return result;
  }

  function currentLayout() {
    var dark = darkScheme !== null && darkScheme.matches;
    return merged(figure.layout, dark ? figure.themes.dark : figure.themes.light);
  }

  function shownTraces() {
    return figure.traces.map(function (trace) {
      var copy = clone(trace);
      if (shownIds === null || trace.meta.kind === "legend") {
        return copy;
      }
      var keep = trace.customdata.map(function (point) {
        return shownIds.has(point[0]);
      });
      POINT_KEYS.forEach(function (key) {
        if (Array.isArray(trace[key])) {
          copy[key] = trace[key].filter(function (_, index) {
            return keep[index];
          });
        }
      });
      return copy;
    });
  }

  function draw() {
    if (!chartReady) {
      return Promise.resolve();
    }
    return window.Plotly.react(chart, shownTraces(), currentLayout(), figure.config);
  }

  function normalised(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function activeTags() {
    var active = new Set();
    toggles.forEach(function (toggle) {
      if (toggle.checked) {
        active.add(toggle.value);
      }
    });
    return active;
  }

  function matches(item, words, active) {
    var tags = item.getAttribute("data-tags").split(" ").filter(Boolean);
    var tagged = tags.length === 0
      ? untaggedToggle === null || untaggedToggle.checked
      : tags.some(function (tag) {
        return active.has(tag);
      });
    if (!tagged) {
      return false;
    }
    var text = normalised(item.textContent);
    return words.every(function (word) {
      return text.indexOf(word) !== -1;
    });
  }

  function applyFilter() {
    var words = normalised(query.value).split(/\s+/).filter(Boolean);
    var active = activeTags();
    var shown = new Set();
    items.forEach(function (item) {
      var visible = matches(item, words, active);
      item.hidden = !visible;
      if (visible) {
        shown.add(item.id);
      }
    });
    shownIds = shown.size === items.length ? null : shown;
    noMatch.hidden = shown.size !== 0;
    status.textContent = shownIds === null
      ? "Showing all " + items.length + " events."
      : "Showing " + shown.size + " of " + items.length + " events.";
    return draw();
  }

  function showAll() {
    form.reset();
    return applyFilter();
  }

  function revealTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var item = id ? document.getElementById(id) : null;
    if (item === null || !item.classList.contains("event")) {
      return;
    }
    if (item.hidden) {
      showAll();
    }
    items.forEach(function (other) {
      other.classList.remove("flash");
    });
    item.classList.add("flash");
    item.scrollIntoView({ block: "start" });
    item.focus({ preventScroll: true });
  }

  // On a touch screen the first tap on an event shows its label; a second tap jumps.
  var lastPointer = "mouse";
  var tappedId = null;

  function onChartClick(event) {
    var point = event && event.points && event.points[0];
    if (point && Array.isArray(point.customdata) && point.customdata[0]) {
      var id = point.customdata[0];
      if (lastPointer === "touch" && tappedId !== id) {
        tappedId = id;
        return;
      }
      tappedId = null;
      var hash = "#" + encodeURIComponent(id);
      if (window.location.hash === hash) {
        revealTarget();
      } else {
        window.location.hash = hash;
      }
    }
  }

  function startChart() {
    if (!window.Plotly) {
      chart.querySelector(".chart-fallback").textContent =
        "The chart could not be loaded (plotly.min.js is missing). Every event is listed below.";
      return;
    }
    chart.textContent = "";
    chartReady = true;
    chart.addEventListener("pointerdown", function (event) {
      lastPointer = event.pointerType;
    }, true);
    draw().then(function () {
      chart.on("plotly_click", onChartClick);
    });
    if (darkScheme !== null && darkScheme.addEventListener) {
      darkScheme.addEventListener("change", draw);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(applyFilter, 0);
  });
  query.addEventListener("input", applyFilter);
  toggles.forEach(function (toggle) {
    toggle.addEventListener("change", applyFilter);
  });
  noMatch.querySelector("[data-action=reset]").addEventListener("click", showAll);
  Array.prototype.forEach.call(document.querySelectorAll("button[data-view]"), function (button) {
    button.addEventListener("click", function () {
      if (chartReady) {
        window.Plotly.relayout(chart, { "xaxis.range": figure.views[button.getAttribute("data-view")].slice() });
      }
    });
  });
  window.addEventListener("hashchange", revealTarget);

  startChart();
  revealTarget();
})();
