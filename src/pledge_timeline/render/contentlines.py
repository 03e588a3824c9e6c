"""RFC 5545 content lines written as text: escaping, value formats and 75-octet folding.

``render.ical`` and ``render.vtimezone`` write the whole calendar with these functions. The
output is what icalendar writes for the same properties, to the byte, with two deliberate
differences: icalendar turns the two characters ``\\N`` in a text into a line break, and here
they stay two characters (``\\\\N``), as RFC 5545 section 3.3.11 reads; and only zones named UTC
are written as UTC (see ``zone_tzid``). ``tests/test_contentlines.py`` and ``tests/test_ical.py``
check both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

FOLD_LIMIT = 75
"""Octets a line may not reach before a fold (icalendar's limit: 74 octets, then CRLF SPACE)."""
CRLF = b"\r\n"
_FOLD = b"\r\n "
_WIDTH = FOLD_LIMIT - 1
_KEEP_WITH_NEXT = b"\\^"
"""A fold never follows a backslash or caret, which would split an escape (icalendar #1501)."""


def text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``."""
    if "\\" in value or ";" in value or "," in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\n", "\\n")
            .replace("\r", "\\n")
        )
    return value


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, ``20150917T120000Z``."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return local_stamp(moment) + "Z"


def local_stamp(moment: datetime) -> str:
    """A DATE-TIME as local ("floating") time, ``20150922T090000``."""
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031 (no format-spec call per field)
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def day(value: date) -> str:
    """A DATE value, ``20150922``."""
    return "%04d%02d%02d" % (value.year, value.month, value.day)  # noqa: UP031 (as above)


def date_property(name: str, value: date | datetime) -> tuple[str, str | None]:
    """(line, TZID or None) for DTSTART/DTEND: a DATE, a UTC DATE-TIME, or a zoned local time."""
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{day(value)}", None
    local = local_stamp(value)
    tzid = zone_tzid(value.tzinfo)
    if tzid is None:
        return f"{name}:{local}Z", None
    return f"{name};TZID={tzid}:{local}", tzid


UTC_NAMES = frozenset(
    [
        "UTC",
        "UCT",
        "Universal",
        "Zulu",
        "GMT",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Greenwich",
        "Etc/UTC",
        "Etc/UCT",
        "Etc/Universal",
        "Etc/Zulu",
        "Etc/GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "Etc/Greenwich",
    ]
)
"""The tz database's names for UTC itself: only these are written as UTC (``...Z``)."""


def zone_tzid(zone: object) -> str | None:
    """The TZID of a zone, or None for UTC, which is written with a ``Z`` and no VTIMEZONE.

    The TZID is the zone's IANA name, as icalendar writes a ZoneInfo, except that a zone is UTC
    only if it is named so: icalendar also writes zones that are at UTC today (Africa/Abidjan,
    Atlantic/St_Helena...) as UTC, which moves their historical times (09:00 in St Helena in
    1950 was 09:22 UTC)."""
    if not isinstance(zone, ZoneInfo):
        raise TypeError(f"only IANA zones are written, not {zone!r}")
    return None if zone.key in UTC_NAMES else zone.key


def fold(line: str) -> bytes:
    """The line as UTF-8, folded before it reaches 75 octets: never inside a character, and never
    right after a backslash or caret (as icalendar folds; an escaped backslash pair can still
    be split between its two backslashes, which unfolds to the same text)."""
    data = line.encode("utf-8")
    if len(data) <= _WIDTH:
        return data
    parts = []
    start, length = 0, len(data)
    while length - start > _WIDTH:
        end = start + _WIDTH
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: fold before its character
            end -= 1
        if data[end - 1] in _KEEP_WITH_NEXT:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return _FOLD.join(parts)


def lines(*content: str) -> bytes:
    """Content lines, each folded and ended with CRLF."""
    folded = []
    for line in content:
        data = line.encode("utf-8")
        folded.append(data if len(data) <= _WIDTH else fold(line))  # most lines need no fold
    folded.append(b"")
    return CRLF.join(folded)
