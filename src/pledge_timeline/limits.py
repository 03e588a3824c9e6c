"""How long a field's text may be: limits a curator never meets, so that no file the input-size
limit lets in can make a build write without bound (a 4 MB title cited by every event once made
5.6 GB of output). The schema states them as ``maxLength`` (so editors flag them too), and the
README's field table lists them.

The longest values in the story's events.yaml: a note of 772 characters, a description of 378,
a summary of 300, a quote of 288, a source title of 144, a URL of 131, an id of 36. Each limit is
several times the longest value of its kind.
"""

MAX_ID = 200
"""Slugs: ids, and the tag and source ids that refer to them (a tag's names a file, which most
file systems allow 255 bytes)."""
MAX_SHORT_TEXT = 500
"""Titles, labels, names: timeline title, curator, rights; tag label; source title, publisher,
archive; event title, display_date, actors, place name, media file, alt and credit; a revision's
what."""
MAX_LONG_TEXT = 5_000
"""Paragraphs: timeline and tag descriptions, summaries, quotes, notes, media captions, a
revision's before and after."""
MAX_URL = 2_000
"""URLs; browsers and crawlers handle about 2,000 characters."""
MAX_CODE = 100
"""Dates, times, time zones, folds, language tags and numbers: their syntax is far shorter."""
