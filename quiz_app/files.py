"""Writing files the command line makes (backups, certificates) so that none is ever
left half-written or silently replaces another."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def partial_name(destination: Path) -> Path:
    """A temporary name beside `destination` for the file while it is being written."""
    return destination.with_name(f".{destination.name}.{os.getpid()}.partial")


def give_name(partial: Path, destination: Path, replace: bool = False) -> None:
    """Name the finished file `partial` as `destination`, in one step (a reader sees the
    old file or the whole new one). Without `replace`, never replaces an existing file
    (FileExistsError): a hard link where the file system has them, else a rename after
    checking that the name is free."""
    if replace:
        os.replace(partial, destination)
        return
    try:
        os.link(partial, destination)
    except FileExistsError:
        raise
    except OSError:
        if destination.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(destination)) from None
        os.replace(partial, destination)
        return
    partial.unlink()


def write_new(destination: Path, data: bytes, replace: bool = False) -> None:
    """Write `data` to `destination` whole or not at all (see `give_name`)."""
    partial = partial_name(destination)
    try:
        partial.write_bytes(data)
        give_name(partial, destination, replace)
    finally:
        partial.unlink(missing_ok=True)
