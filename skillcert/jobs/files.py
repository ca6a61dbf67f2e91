"""The uploaded input of a job: private files under SKILLCERT_JOBS_DIR (0700 directory, 0600 files).

Never under MEDIA_ROOT: nothing serves this directory. A file lives only while its job is queued or running.
"""

import os
from pathlib import Path

from django.conf import settings


def _directory() -> Path:
    directory = Path(settings.SKILLCERT_JOBS_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"bad job file name: {name!r}")
    return _directory() / name


def job_input_save(*, name: str, content: bytes) -> None:
    """Write ``content`` to a new private file (refuses to overwrite)."""
    descriptor = os.open(_path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def job_input_read(*, name: str) -> bytes:
    return _path(name).read_bytes()


def job_input_delete(*, name: str) -> None:
    if name:
        _path(name).unlink(missing_ok=True)
