"""Reads an iCalendar file on stdin with libical (GNOME's, through GObject introspection), as
Evolution does, and prints each VEVENT's start and end as JSON.

Run it with Debian's own Python (``/usr/bin/python3``), which has ``python3-gi``; the project's
Python need not. Timed values are UTC instants ("2015-09-23T16:00:00Z"), all-day values dates
("2015-09-22"); a TZID is looked up among the file's own VTIMEZONEs, as libical does.
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def show(value):
    if value.is_null_time():
        return None
    if value.is_date():
        return f"{value.get_year():04}-{value.get_month():02}-{value.get_day():02}"
    zone = value.get_timezone()
    if zone is None and not value.is_utc():
        raise SystemExit(f"floating time {value.as_ical_string()}: its TZID was not understood")
    seconds = ICalGLib.Time.as_timet_with_zone(value, zone)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    calendar = ICalGLib.Component.new_from_string(sys.stdin.read())
    if calendar is None:
        raise SystemExit("libical could not parse the calendar")
    events = []
    kind = ICalGLib.ComponentKind.VEVENT_COMPONENT
    event = calendar.get_first_component(kind)
    while event is not None:
        has_end = event.get_first_property(ICalGLib.PropertyKind.DTEND_PROPERTY) is not None
        events.append(
            {
                "uid": event.get_uid(),
                "start": show(event.get_dtstart()),
                "end": show(event.get_dtend()) if has_end else None,
            }
        )
        event = calendar.get_next_component(kind)
    json.dump({"events": events}, sys.stdout)


main()
