// Reads an iCalendar file on stdin with Mozilla ical.js, as Thunderbird does: every VTIMEZONE
// in the file is registered first, then each VEVENT's start/end is printed as JSON.
// Timed values are UTC instants ("2015-09-23T16:00:00Z"), all-day values are dates ("2015-09-22").
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => warnings.push(args.join(" "));
}

function show(time) {
  if (time === null) return null;
  if (time.isDate) return time.toString();
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    start: show(event.startDate),
    end: component.hasProperty("dtend") ? show(event.endDate) : null,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
  };
});
process.stdout.write(JSON.stringify({ events, warnings }));
