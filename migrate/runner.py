"""Run the engine over files: discover, migrate, write atomically, yield results in order."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

from migrate.discovery import iter_files
from migrate.engine import migrate_source
from migrate.fileio import FileChangedError, read_bytes, write_atomic
from migrate.findings import FileResult
from migrate.settings import Settings


def run(paths: Sequence[str], settings: Settings, *, write: bool, exclude: Sequence[str] = ()) -> Iterator[FileResult]:
    for found in iter_files(paths, exclude=exclude):
        path = str(found.path)
        if found.error is not None:
            yield FileResult(path, "failed", reason=found.error)
            continue
        try:
            data = read_bytes(found.path)
        except IsADirectoryError:
            yield FileResult(path, "failed", reason="is a directory")
            continue
        except OSError as error:
            yield FileResult(path, "failed", reason=f"cannot read: {error.strerror or error}")
            continue
        result = migrate_source(path, data, settings)
        if write and result.status == "changed" and result.migrated is not None:
            try:
                write_atomic(found.path, result.migrated, expected=data)
            except FileChangedError as error:
                result = FileResult(path, "failed", calls=result.calls, reason=str(error), original=data)
            except OSError as error:
                result = FileResult(path, "failed", calls=result.calls, reason=f"cannot write: {error.strerror or error}", original=data)
        yield result
