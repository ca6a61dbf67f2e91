"""The private files of jobs under SKILLCERT_JOBS_DIR (0700 directory, 0600 files): a job's uploaded input
and the output it made (e.g. a ZIP of certificate PDFs).

Never under MEDIA_ROOT: nothing serves this directory; a view hands out an output only after its own
permission check. An input lives only while its job is queued or running; an output until its retention
ends (SKILLCERT_JOBS_OUTPUT_HOURS, see ``jobs_purge_outputs``).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from uuid import UUID

from django.conf import settings

PARTIAL_SUFFIX = ".part"  # an output being written; renamed to its name once complete


def _directory() -> Path:
    directory = Path(settings.SKILLCERT_JOBS_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"bad job file name: {name!r}")
    return _directory() / name


def _create_private(path: Path) -> IO[bytes]:
    """A new file readable by this user only (refuses to overwrite)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "wb")


def job_input_save(*, name: str, content: bytes) -> None:
    """Write ``content`` to a new private file (refuses to overwrite)."""
    with _create_private(_path(name)) as handle:
        handle.write(content)


def job_input_read(*, name: str) -> bytes:
    return _path(name).read_bytes()


def job_input_delete(*, name: str) -> None:
    if name:
        _path(name).unlink(missing_ok=True)


def job_output_name(job_uuid: UUID) -> str:
    """The name of the output file of the job ``job_uuid`` (the runner records it when the work is done)."""
    return f"{job_uuid.hex}.out"


@contextmanager
def job_output_write(*, name: str) -> Iterator[IO[bytes]]:
    """A new private output file: written as ``<name>.part``, renamed to ``name`` once the block succeeds.

    If the block fails the partial file is removed, so a half-written output is never found under its name.
    """
    partial = _path(name + PARTIAL_SUFFIX)
    try:
        with _create_private(partial) as handle:
            yield handle
        partial.rename(_path(name))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def job_output_exists(*, name: str) -> bool:
    return _path(name).is_file()


def job_output_open(*, name: str) -> IO[bytes]:
    """The output opened for reading (raises FileNotFoundError once it is deleted). The caller closes it."""
    return _path(name).open("rb")


def job_output_delete(*, name: str) -> None:
    """Delete the output ``name`` and any partial one (left by a process that died while writing it)."""
    if name:
        _path(name).unlink(missing_ok=True)
        _path(name + PARTIAL_SUFFIX).unlink(missing_ok=True)
