"""Seeded mutants of the story's events.yaml, for the mutation-fuzz test (``test_fuzz.py``).

``mutant(seed)`` is a pure function of the seed, so a failing mutant is named by its seed and
made again anywhere. The mutations are those of the reliability run that found issue 21: cut
and paste text and lines, junk characters (YAML syntax, control, bidi and line-separator
characters), and values swapped for ones each check has to refuse or accept.

``python tests/fuzz.py FIRST COUNT`` checks and builds COUNT mutants from seed FIRST, as the test
does, and prints the seeds of those that fail.
"""

from __future__ import annotations

import random
from pathlib import Path

STORY = (Path(__file__).parent.parent / "events.yaml").read_text(encoding="utf-8")
JUNK = (
    ":", "- ", "? ", "{", "}", "[", "]", ",", "#", "&a ", "*a", "!!python/object ", "|", ">", "'", '"',
    "%", "@", "`", "\t", "\n", "\r", "\x00", "\x1b[2J", "\x85", "\u2028", "\u202e", "\ufeff", "\ud7ff",
    "\U0001f600", "\\", "~", "---\n", "...\n", "<<: ", "!!binary ", "0x1F", "1e999", "-.inf",
)  # fmt: skip
VALUES = (
    "https://[zz]/", "https://[::1/", "https://:80/", "https://[::1]/", "javascript:alert(1)",
    "'9:30'", "9:30", "'25:00'", "2015-02-30", "2015-13", "2015-25", "2015/..", "0000", "99999",
    "2015-09-22/2015-09-01", "2015-22~/2015-21", "''", "null", "~", "[]", "{}", "yes", "1e400",
    "Mars/Base", "posixrules", "zz-ZZZZZZZZZ", "\"x\\nevents.yaml:1:1: (root): FORGED LINE\"",
    "\"\\e[31mred\"", "\"a\\u202eb\"", "\"\\u0085\"", "&anchor x", "*anchor", "!!str x", "[[[[[[[[]]]]]]]]",
    "-91", "180.5", "nan", "\"<script>alert(1)</script>\"", "x" * 600, "\"" + "<" * 5001 + "\"",
)  # fmt: skip


def mutant(seed: int, text: str = STORY) -> str:
    """The story with one to three mutations, chosen by ``seed`` alone."""
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 3)):
        text = _mutate(rng, text)
    return text


def _mutate(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    kind = rng.choice(("delete", "insert", "line", "value", "value", "indent"))
    at = rng.randrange(len(text) + 1)
    if kind == "delete":
        return text[:at] + text[at + rng.randint(1, 40) :]
    if kind == "insert":
        return text[:at] + "".join(rng.choice(JUNK) for _ in range(rng.randint(1, 3))) + text[at:]
    index, other = rng.randrange(len(lines)), rng.randrange(len(lines))
    if kind == "line":
        action = rng.choice(("swap", "duplicate", "drop"))
        if action == "swap":
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "duplicate":
            lines.insert(other, lines[index])
        else:
            del lines[index]
    elif kind == "value":
        key, colon, _ = lines[index].partition(": ")
        if colon:
            lines[index] = f"{key}: {rng.choice(VALUES)}\n"
    else:
        lines[index] = " " * rng.choice((0, 1, 3, 5)) + lines[index].lstrip(" ")
    return "".join(lines)


if __name__ == "__main__":
    import sys

    from test_fuzz import failures_of

    first, count = (int(arg) for arg in sys.argv[1:3])
    for seed, reason in failures_of(range(first, first + count)):
        print(f"seed {seed}: {reason}")
