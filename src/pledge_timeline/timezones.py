"""Whether a name is an IANA time zone that ``zoneinfo`` lists, without listing every zone."""

import os
import zoneinfo
from functools import cache


@cache
def is_time_zone(name: str) -> bool:
    """``name in zoneinfo.available_timezones()``, without listing every zone for a name that is there.

    Listing them opens every file under the time zone path, so a name is first looked for where
    that listing would find it; only a name not found there needs the whole list.
    """
    return name != "posixrules" and (_listed_on_tzpath(name) or name in _available_zones())


@cache
def _available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _listed_on_tzpath(name: str) -> bool:
    """Whether ``available_timezones()``'s walk of a ``zoneinfo.TZPATH`` folder lists ``name``."""
    parts = name.split("/")
    if len(parts) > 1 and parts[0] in ("right", "posix"):
        return False  # copies of every zone that the listing leaves out
    return any(_walk_reaches_zone_file(root, parts) for root in zoneinfo.TZPATH)


def _walk_reaches_zone_file(root: str, parts: list[str]) -> bool:
    """``os.walk(root)`` reaches the file ``parts`` by these very names, and it holds TZif data.

    Each name must be listed as spelled (a case-insensitive file system would open another
    spelling too), and ``os.walk`` does not go into a folder that is a symbolic link.
    """
    folder = root
    for name in parts[:-1]:
        if not _lists(folder, name):
            return False
        folder = os.path.join(folder, name)
        if os.path.islink(folder) or not os.path.isdir(folder):
            return False
    file = os.path.join(folder, parts[-1])
    return _lists(folder, parts[-1]) and not os.path.isdir(file) and _starts_as_tzif(file)


def _lists(folder: str, name: str) -> bool:
    try:
        return name in os.listdir(folder)
    except OSError:
        return False


def _starts_as_tzif(file: str) -> bool:
    try:
        with open(file, "rb") as data:
            return data.read(4) == b"TZif"
    except OSError:
        return False
