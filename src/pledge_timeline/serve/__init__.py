"""Serve the output folder over HTTP, as calendar apps and feed readers subscribe to URLs.

``files`` decides what a request may name and reads it; ``handler`` answers requests;
``connections`` keeps idle connections without a thread each; ``rebuilder`` rebuilds when the
events file changes (``--watch``) and ``live`` lets the open pages follow; ``signals`` stops the server
cleanly on Ctrl-C or SIGTERM; ``text`` is what the command prints.
"""

from pledge_timeline.serve.files import (
    BINARY_TYPE,
    CONTENT_TYPES,
    INDEX_PAGE,
    OutputFolder,
    Resource,
    accepts_gzip,
    content_type_of,
    etag_matches,
    target_to_relative_path,
    unmodified_since,
)
from pledge_timeline.serve.handler import TimelineServer
from pledge_timeline.serve.live import STREAM_PATH, LiveReload, Problems
from pledge_timeline.serve.rebuilder import Rebuilder, RebuildProblem, problem_lines
from pledge_timeline.serve.signals import STOP_SIGNALS, StopSignals
from pledge_timeline.serve.text import SUBSCRIPTIONS, subscription_lines

__all__ = [
    "BINARY_TYPE",
    "CONTENT_TYPES",
    "INDEX_PAGE",
    "STOP_SIGNALS",
    "STREAM_PATH",
    "SUBSCRIPTIONS",
    "LiveReload",
    "OutputFolder",
    "Problems",
    "RebuildProblem",
    "Rebuilder",
    "Resource",
    "StopSignals",
    "TimelineServer",
    "accepts_gzip",
    "content_type_of",
    "etag_matches",
    "problem_lines",
    "subscription_lines",
    "target_to_relative_path",
    "unmodified_since",
]
