"""Atomic file writes: write to a hidden temporary file in the same folder, then rename.

A crash (even ``kill -9``) therefore never leaves a half-written file under
the final name: readers see the old file or the new one. Every writer of
results, logs, models, reports and figures goes through :func:`atomic_path`.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_bytes_atomic", "write_text_atomic"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` when the block succeeds.

    The folder is created if needed. On an exception the temporary file is
    removed and ``path`` is left untouched; an ``OSError`` that names no file
    (a full disk fails ``write``, not ``open``) is raised again naming
    ``path``. The temporary name ends in ``.tmp`` (so a writer that picks a
    format from the suffix must be told the format), and a sweep's resume
    deletes such leftovers.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename is not None:
            raise
        if exc.errno is None:  # e.g. pyarrow's I/O errors carry only a message
            raise OSError(f"cannot write {path}: {exc}") from exc
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (flushed to disk first when ``fsync``)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"), fsync=False)
