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

  // --- a filtered chart is laid out again: its lanes packed with the matches only, from the top,
  // empty lanes gone, and (a chart of marks) the x range on the matches; as chart/lanes.py's
  // stack() and chart/geometry.py's height_for() do in Python.
  var DAY_MS = 86400000;

  function dayNumber(iso) {
    return Math.round(Date.parse(iso) / DAY_MS);
  }

  function isoDay(number) {
    return new Date(number * DAY_MS).toISOString().slice(0, 10);
  }

  function occupied(event, padding) {
    var first = dayNumber(event[1]);
    if (event[3]) {
      return [first + 0.5 - padding, first + 0.5 + padding];
    }
    return [first - padding / 2, dayNumber(event[2]) + 1 + padding / 2];
  }

  function paddedView(first, last) {
    // as _padded() in chart/geometry.py: the days shown around the matches
    var margin = Math.max(3, Math.round((last - first) * 0.06));
    return [first - margin, last + margin + 1];
  }

  function relaid(traces) {
    var data = figure.lanes;
    var counted = !("events" in (data.lanes[0] || {}));
    var kept = new Set();
    traces.forEach(function (trace) {
      if (trace.meta.kind !== "legend" && Array.isArray(trace.x) && trace.x.length > 0) {
        kept.add(trace.meta.lane);
      }
    });
    var view = null;
    var rows = {};
    if (!counted) {
      var first = Infinity;
      var last = -Infinity;
      data.lanes.forEach(function (lane) {
        lane.events.forEach(function (event) {
          if (shownIds.has(event[0])) {
            first = Math.min(first, dayNumber(event[1]));
            last = Math.max(last, dayNumber(event[2]));
          }
        });
      });
      view = first <= last ? paddedView(first, last) : null;
    }
    var padding = view === null ? 0.25 : Math.max(0.25, (view[1] - view[0]) * 0.012);
    var bands = [];
    var top = data.firstTop;
    data.lanes.forEach(function (lane, index) {
      if (!kept.has(lane.key)) {
        return;
      }
      var count = lane.rows;
      if (!counted) {
        var rowEnds = [];
        lane.events.forEach(function (event) {
          if (!shownIds.has(event[0])) {
            return;
          }
          var extent = occupied(event, padding);
          var row = rowEnds.findIndex(function (end) {
            return end <= extent[0];
          });
          if (row === -1) {
            row = rowEnds.length;
            rowEnds.push(extent[1]);
          }
          rowEnds[row] = extent[1];
          rows[event[0]] = { from: event[4], to: top + row };
        });
        count = rowEnds.length;
      }
      bands.push({ key: lane.key, index: index, shift: top - lane.top, top: top, rows: count });
      top += count + data.laneGap + data.labelSpace;
    });
    return { bands: bands, rows: rows, view: view, counted: counted };
  }

  function movedTrace(trace, layout) {
    var band = layout.bands.find(function (b) {
      return b.key === trace.meta.lane;
    });
    if (band === undefined || !Array.isArray(trace.y)) {
      return trace;
    }
    trace.y = trace.y.map(function (y, index) {
      if (y === null) {
        return y;
      }
      if (layout.counted) {
        return y + band.shift;
      }
      var row = layout.rows[trace.customdata[index][0]];
      return row.to + (y - row.from);
    });
    return trace;
  }

  function relaidLayout(base, layout) {
    var data = figure.lanes;
    var result = clone(base);
    if (layout.bands.length === 0) {
      return result;
    }
    var last = layout.bands[layout.bands.length - 1];
    var bottom = last.top + last.rows - 0.5;
    result.height = Math.floor(data.basePx + data.rowPx * (bottom + 0.6) * 1.16);
    result.yaxis.range = [bottom + 0.5, -0.1];
    result.legend.y = Math.round((1 - data.modebarPx / result.height) * 10000) / 10000; // as legend_y()
    result.annotations = layout.bands.map(function (band) {
      var label = clone(base.annotations[band.index]);
      label.y += band.shift;
      return label;
    });
    var bandShape = (base.shapes || []).find(function (shape) {
      return shape.name === "lane-band";
    });
    var shapes = (base.shapes || []).filter(function (shape) {
      return shape.name !== "lane-band";
    });
    if (bandShape !== undefined) {
      layout.bands.forEach(function (band, index) {
        if (index % 2 === 0) {
          var shape = clone(bandShape);
          shape.y0 = band.top - data.labelSpace - data.laneGap / 2 + 0.2;
          shape.y1 = band.top + band.rows - 0.5 + data.laneGap / 2;
          shapes.push(shape);
        }
      });
    }
    result.shapes = shapes;
    if (layout.view !== null) {
      result.xaxis.range = [isoDay(layout.view[0]), isoDay(layout.view[1])];
    }
    // a new filter shows its matches even where the reader had zoomed
    result.xaxis.uirevision = filterKey;
    return result;
  }

  var filterKey = "";
  var legendExtra = 0; // the pixels a legend taller than figure.lanes.legendPx needs (a phone's)

  function measuredLegendExtra() {
    var legend = chart.querySelector(".legend");
    if (legend === null) {
      return legendExtra;
    }
    return Math.max(0, Math.ceil(legend.getBoundingClientRect().height) - figure.lanes.legendPx);
  }

  var drawnHeight = null;

  // A chart of another height is drawn afresh: Plotly.react would keep the margin the range
  // slider pushed at the old height, which leaves a short chart no room to plot in.
  function plotted(traces, layout) {
    var resized = drawnHeight !== null && drawnHeight !== layout.height;
    drawnHeight = layout.height;
    if (!resized) {
      return window.Plotly.react(chart, traces, layout, figure.config);
    }
    return window.Plotly.newPlot(chart, traces, layout, figure.config).then(listenToClicks);
  }

  function listenToClicks() {
    chart.removeAllListeners("plotly_click");
    chart.on("plotly_click", onChartClick);
    chart.removeAllListeners("plotly_afterplot");
    chart.on("plotly_afterplot", tidyEraLabels);
    tidyEraLabels();
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // An era's label that would run past the plot's right edge moves left to end there; one that
  // would still run out of the plot, or over an earlier era's label, is hidden at this zoom (the
  // list under the chart names every era): labels never overlap.
  function tidyEraLabels() {
    var plot = chart.querySelector(".nsewdrag");
    if (plot === null) {
      return;
    }
    var area = plot.getBoundingClientRect();
    var shown = [];
    Array.prototype.forEach.call(chart.querySelectorAll(".shape-label-text"), function (label) {
      label.style.visibility = "";
      label.style.transform = "";
      var box = label.getBoundingClientRect();
      if (box.right > area.right) {
        label.style.transform = "translateX(" + (area.right - box.right) + "px)";
        box = label.getBoundingClientRect();
      }
      var clash = box.left < area.left - 1 || box.right > area.right + 1 || shown.some(function (other) {
        return overlaps(box, other);
      });
      if (clash) {
        label.style.visibility = "hidden";
      } else {
        shown.push(box);
      }
    });
  }

  function draw() {
    if (!chartReady) {
      return Promise.resolve();
    }
    var traces = shownTraces();
    var layout = currentLayout();
    if (shownIds !== null) {
      var laidOut = relaid(traces);
      traces = traces.map(function (trace) {
        return movedTrace(trace, laidOut);
      });
      layout = relaidLayout(layout, laidOut);
    }
    var extra = legendExtra;
    if (extra > 0) {
      layout.legend.y = 1 - (1 - layout.legend.y) * layout.height / (layout.height + extra);
      layout.height += extra;
    }
    chart.style.height = layout.height + "px";
    return plotted(traces, layout).then(function () {
      var measured = measuredLegendExtra();
      if (measured !== extra) {
        legendExtra = measured; // drawn once more, with room for the legend as it wrapped
        return draw();
      }
      return undefined;
    });
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
    filterKey = shownIds === null ? "" : words.join(" ") + "|" + Array.from(active).sort().join(" ");
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
    draw().then(listenToClicks);
    if (darkScheme !== null && darkScheme.addEventListener) {
      darkScheme.addEventListener("change", draw);
    }
    window.addEventListener("resize", function () {
      window.requestAnimationFrame(function () {
        if (measuredLegendExtra() !== legendExtra) {
          draw();
        }
      });
    });
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
