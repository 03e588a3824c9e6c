"""An event's picture: a local image file, checked and read once, while the file is validated.

The image is judged by its bytes, never its name: Pillow opens it restricted to the published
formats (PNG, JPEG, WebP, GIF, AVIF), which it recognises by their magic bytes, and reads only
the header, where the width and height are (the page reserves the picture's room with them).
Pillow rather than a header-only size reader: the same kept library tells the format from the
bytes and the size for every one of the five formats, AVIF included. SVG is no image here: it
can carry script.

The bytes are kept in the model (``model.MediaFile``) and handed to the writer like any other
output, under ``media/<sha256>.<ext>``: a name that changes exactly when the picture does, so
the page stays offline and the file can be cached for ever.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pledge_timeline.document import FieldProblem
from pledge_timeline.model import MediaFile

MAX_BYTES = 10 * 1024 * 1024
MEDIA_FOLDER = "media"
FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
    "AVIF": ("image/avif", "avif"),
}
"""Pillow's name of each format published: its media type and the extension of its copy."""
KINDS = "PNG, JPEG, WebP, GIF or AVIF"


def read_image(events_file: Path, relative: str) -> MediaFile:
    """The image at ``relative`` (to the events file's folder), or the ``FieldProblem`` with it."""
    if os.path.isabs(relative) or relative.startswith("~"):
        raise FieldProblem(
            "media", f"'{relative}' is not relative; give the path from the events file's folder"
        )
    path = events_file.parent / relative
    data = _read(path, relative)
    return image_of(data, relative)


def _read(path: Path, relative: str) -> bytes:
    try:
        # Non-blocking, so that a named pipe is refused at once instead of waiting for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FieldProblem("media", f"'{relative}' is not a file")
            if info.st_size > MAX_BYTES:
                raise FieldProblem(
                    "media", f"'{relative}' is {info.st_size:,} bytes; at most 10 MB (10,485,760)"
                )
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise FieldProblem(
            "media", f"'{relative}' does not exist (paths are relative to the events file)"
        ) from None
    except IsADirectoryError:
        raise FieldProblem("media", f"'{relative}' is not a file") from None
    except OSError as error:
        raise FieldProblem("media", f"'{relative}' cannot be read: {error.strerror}") from None
    if len(data) > MAX_BYTES:  # grew since it was measured
        raise FieldProblem("media", f"'{relative}' is over 10 MB")
    return data


def image_of(data: bytes, name: str) -> MediaFile:
    """``data`` as a published picture, if it is one of ``FORMATS``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                kind, (width, height) = image.format, image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise FieldProblem(
            "media", f"'{name}' has more pixels than a page should show ({Image.MAX_IMAGE_PIXELS:,} at most)"
        ) from None
    except UnidentifiedImageError:
        raise FieldProblem(
            "media", f"'{name}' is not a {KINDS} image (judged by its content, not its name)"
        ) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise FieldProblem("media", f"'{name}' is a damaged image: {error}") from None
    if kind not in FORMATS or width < 1 or height < 1:
        raise FieldProblem("media", f"'{name}' is not a {KINDS} image")
    media_type, extension = FORMATS[kind]
    digest = hashlib.sha256(data).hexdigest()
    return MediaFile(f"{MEDIA_FOLDER}/{digest}.{extension}", media_type, width, height, data)
