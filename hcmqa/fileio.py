"""Atomic writes: a file or directory appears whole at its final path, or not at all.

Each writer fills a temporary sibling of the target (same directory, so the same file
system) and renames it over the target only when writing finished; an exception or a
killed process leaves the old target as it was. A failed write removes its temporary;
a killed one can leave a hidden ``.<name>.<random>.tmp`` (or ``.<name>-<random>`` folder)
next to the target. Standard library only, so the web app and workers can import it
without the ML stack.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _temporary_sibling(path: Path, mode: int) -> tuple[int, Path]:
    """Create a new empty file next to ``path``; ``mode`` is filtered by the umask like ``open``."""
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), tmp
        except FileExistsError:
            continue


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int = 0o666) -> Iterator[Path]:
    """A temporary path for writers that take a file name (``joblib.dump``, ``np.savez``).

    The file already exists (empty) when the block starts; whatever is at that path when the
    block ends replaces ``path``. ``mode`` is the new file's permission before the umask:
    the default gives what ``open(path, "w")`` would, ``0o600`` keeps the file private.
    """
    path = Path(path)
    fd, tmp = _temporary_sibling(path, mode)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
    permissions: int = 0o666,
) -> Iterator[IO[Any]]:
    """An open file (``"w"`` or ``"wb"``) that replaces ``path`` once the block ends without error."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes a whole new file: mode 'w' or 'wb', not {mode!r}")
    with atomic_path(path, mode=permissions) as tmp:
        if mode == "wb":
            with open(tmp, "wb") as fh:
                yield fh
        else:
            with open(tmp, "w", encoding=encoding, newline=newline) as fh:
                yield fh


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o666) -> None:
    with atomic_open(path, "wb", permissions=mode) as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", mode: int = 0o666) -> None:
    with atomic_open(path, "w", encoding=encoding, permissions=mode) as fh:
        fh.write(text)


def atomic_write_json(path: str | os.PathLike[str], obj: Any, *, indent: int | None = 2, **dumps: Any) -> None:
    """``obj`` as JSON with a final newline; ``dumps`` goes to ``json.dumps`` (``default``, ``ensure_ascii``).

    The JSON is rendered before anything is created, so an unserialisable value leaves no trace.
    """
    atomic_write_text(path, json.dumps(obj, indent=indent, **dumps) + "\n")


@contextmanager
def atomic_directory(target: str | os.PathLike[str], *, replace: bool = False, mode: int = 0o755) -> Iterator[Path]:
    """A new, empty temporary folder next to ``target``, renamed to ``target`` when the block ends.

    The folder is made private while it fills and gets ``mode`` just before the rename. With
    ``replace``, an existing ``target`` is removed first; without it, renaming onto a non-empty
    ``target`` fails with ``OSError`` and the temporary folder is removed.
    """
    target = Path(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, mode)
        if replace and target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
