/* timeline.html: draws the chart, filters chart and list together, follows the color scheme.
 * It runs before the list is parsed (so a long list never delays the chart): the chart is
 * drawn at once, the filter is set up when the list is there (DOMContentLoaded). */
(function () {
  "use strict";

  var POINT_KEYS = ["x", "y", "base", "customdata", "width", "offset"];
  var figure = JSON.parse(document.getElementById("timeline-figure").textContent);
  var chart = document.getElementById("timeline-chart");
  var form = document.getElementById("filters");
  var query = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var toggles = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var untaggedToggle = form.querySelector("input[type=checkbox][value='']");
  var darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var items = null; // the list's entries, once the list has been parsed
  var texts = null; // their normalised text, computed on the first search
  var noMatch = null;
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

  // A count (a bar or a corrections marker of a big story's chart) lists its events' ids in
  // customdata[i][2]; filtered, it counts only the shown ones, and goes if there are none.
  function recounted(trace, point) {
    var members = point[2].filter(function (id) {
      return shownIds.has(id);
    });
    if (members.length === 0) {
      return null;
    }
    var note = "<b>" + members.length + " of " + point[2].length + " match the filter</b><br>";
    var result = { customdata: [members[0], note + point[1], members] };
    if (trace.meta.kind === "count") {
      // as chart.thickness() in Python
      var meta = trace.meta;
      var width = meta.thinnest + (meta.widest - meta.thinnest) * members.length / meta.most;
      result.width = width;
      result.offset = meta.align * width;
    }
    return result;
  }

  function filteredTrace(trace) {
    var copy = clone(trace);
    var keep = trace.customdata.map(function (point) {
      return Array.isArray(point[2]) ? recounted(trace, point) : shownIds.has(point[0]);
    });
    POINT_KEYS.forEach(function (key) {
      if (Array.isArray(trace[key])) {
        copy[key] = [];
        trace[key].forEach(function (value, index) {
          var kept = keep[index];
          if (kept) {
            copy[key].push(isObject(kept) && key in kept ? kept[key] : value);
          }
        });
      }
    });
    return copy;
  }

  function shownTraces() {
    return figure.traces.map(function (trace) {
      if (shownIds === null || trace.meta.kind === "legend") {
        return clone(trace);
      }
      return filteredTrace(trace);
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

  function matches(index, words, active) {
    var item = items[index];
    var tags = item.getAttribute("data-tags").split(" ").filter(Boolean);
    var tagged = tags.length === 0
      ? untaggedToggle === null || untaggedToggle.checked
      : tags.some(function (tag) {
        return active.has(tag);
      });
    if (!tagged) {
      return false;
    }
    if (words.length === 0) {
      return true;
    }
    if (texts === null) {
      texts = items.map(function (other) {
        return normalised(other.textContent);
      });
    }
    return words.every(function (word) {
      return texts[index].indexOf(word) !== -1;
    });
  }

  function applyFilter() {
    if (items === null) {
      return Promise.resolve(); // the list is not there yet: listReady() filters then
    }
    var words = normalised(query.value).split(/\s+/).filter(Boolean);
    var active = activeTags();
    var shown = new Set();
    items.forEach(function (item, index) {
      var visible = matches(index, words, active);
      if (item.hidden === visible) {
        item.hidden = !visible;
      }
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
    if (items === null || item === null || !item.classList.contains("event")) {
      return;
    }
    if (item.hidden) {
      showAll();
    }
    Array.prototype.forEach.call(document.querySelectorAll("#event-list > li.flash"), function (other) {
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

  function filterIsSet() {
    return query.value !== "" || toggles.some(function (toggle) {
      return !toggle.checked;
    });
  }

  function listReady() {
    items = Array.prototype.slice.call(document.querySelectorAll("#event-list > li.event"));
    noMatch = document.getElementById("no-match");
    noMatch.querySelector("[data-action=reset]").addEventListener("click", showAll);
    if (filterIsSet()) {
      applyFilter(); // typed (or restored by the browser) before the list was there
    }
    revealTarget();
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
  Array.prototype.forEach.call(document.querySelectorAll("button[data-view]"), function (button) {
    button.addEventListener("click", function () {
      if (chartReady) {
        window.Plotly.relayout(chart, { "xaxis.range": figure.views[button.getAttribute("data-view")].slice() });
      }
    });
  });
  window.addEventListener("hashchange", revealTarget);

  startChart();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", listReady);
  } else {
    listReady();
  }
})();
