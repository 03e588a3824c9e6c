"""Files written to make ``check`` slow or greedy, and the start of each one's refusal.

``tests/test_validate.py`` checks that each is refused (exit 1, a located message, no traceback)
in a child that the kernel holds to 256 MB of address space; ``benchmarks/run.py`` measures how
much CPU time and memory each refusal takes (the target: 2 s and 256 MB).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

MAX_CPU_SECONDS = 2.0
"""What refusing any of them may cost (benchmarks/run.py's target)."""
MAX_ADDRESS_SPACE = 256 * 2**20
"""What any of them may take; the tests hold the child to it."""


def alias_bomb(folder: Path) -> tuple[Path, tuple[str, ...]]:
    """A billion laughs: nine aliases of nine aliases, nine levels deep."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = folder / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, ("YAML aliases (*name) are not allowed",)


def huge_file(folder: Path) -> tuple[Path, tuple[str, ...]]:
    """50 MiB (of zeros, sparse): over the default limit, refused before it is read."""
    path = folder / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 2**20)
    message = "the file is 50 MiB; the limit is 32 MiB (--max-input-size raises it)"
    return path, (f"{path}:1:1: (root): {message}\n",)


def tiny_values(folder: Path) -> tuple[Path, tuple[str, ...]]:
    """32 MiB of one-letter list items: 8 million values, at the default limit's size."""
    path = folder / "tiny.yaml"
    path.write_bytes(b"- a\n" * (8 * 2**20))
    message = "the file holds more than 1,048,576 YAML values, keys and collections;"
    return path, (f"{path}:1:1: (root): {message}",)


def deep_nesting(folder: Path) -> tuple[Path, tuple[str, ...]]:
    """100,000 levels of nested lists (libyaml may stop them first, at 1,000 levels)."""
    path = folder / "deep.yaml"
    path.write_text("timeline: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return path, ("nested deeper than 32 levels", "exceeded maximum nesting depth")


HOSTILE: dict[str, Callable[[Path], tuple[Path, tuple[str, ...]]]] = {
    "alias bomb": alias_bomb,
    "50 MiB file": huge_file,
    "32 MiB of tiny values": tiny_values,
    "100,000 levels deep": deep_nesting,
}
"""Each file's maker: it writes the file into a folder and returns its path and the parts of a
message (any one of them) it must be refused with."""
