"""pledge-timeline: one curated events.yaml, published as a calendar, feeds and a page."""

__version__ = "0.1.0"
