"""Where a command writes: `--output FILE` checked before any work starts, written whole or not at all.

``open_output(path)`` refuses a path the command could not write (a missing folder, a folder, a
file used as a folder, a place nobody may write) with an InputError (exit 2) *before* the work,
so a long audit never ends in "cannot write". The text goes to a hidden temporary file in the
same folder, renamed over the destination only when the command finished: an interrupted or
failed run leaves the old file (or nothing), never a partial or empty one, and no temporary file.
Without a path the text goes to standard output. ``check_folder`` does the same up-front check for
a folder a command will create (``lake demo --workdir``).
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from lake.errors import InputError

TEMPORARY_SUFFIX = ".lake-tmp"


class Output:
    """The destination of one command's text: call ``write`` once the text is complete."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.written = False

    def write(self, text: str) -> None:
        self._stream.write(text)
        self.written = True


def _refused(option: str, path: Path, reason: str, hint: str) -> InputError:
    return InputError(f"{option} {path}: {reason}", hint)


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (folder or not)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def _folder_of(option: str, path: Path, target: Path) -> Path:
    """The folder ``target`` goes into; InputError when it is missing or not a folder."""
    folder = target.parent
    if folder.is_dir():
        return folder
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise _refused(option, path, f"{existing} is not a folder", "name a file inside an existing folder")
    raise _refused(option, path, f"folder {folder} does not exist",
                   f"create it first (mkdir -p {folder}), or name a file in an existing folder")


def _new_file_mode() -> int:
    """The mode open() gives a new file: 0o666 less the umask (mkstemp's files are 0o600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def open_output(path: Path | None, option: str = "--output", inputs: Iterable[Path] = ()) -> Iterator[Output]:
    """``with open_output(args.output, inputs=[...]) as output: <work>; output.write(text)``.

    Raises InputError on entry, before the work, when ``path`` cannot be written or is one of the
    command's ``inputs`` (a report written over the stack config would destroy it). The file is
    replaced only if the block ends normally after ``write``; otherwise nothing changes on disk.
    """
    if path is None:
        yield Output(sys.stdout)
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if any(_same_file(target, source) for source in inputs):
        raise _refused(option, path, "is an input of this command", "write the output to another file")
    if target.is_dir():
        raise _refused(option, path, "is a folder", f"{option} names the file to write (created or replaced)")
    folder = _folder_of(option, path, target)
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        # A device or a pipe (/dev/null, /dev/stdout, a FIFO): written in place, never replaced.
        if not os.access(target, os.W_OK):
            raise _refused(option, path, "cannot be written (permission denied)", "choose a file you can write")
        buffer = io.StringIO()
        output = Output(buffer)
        yield output
        if output.written:
            with open(target, "w", encoding="utf-8") as stream:
                stream.write(buffer.getvalue())
        return
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name[:80]}.", suffix=TEMPORARY_SUFFIX)
    except OSError as error:
        raise _refused(option, path, f"cannot create a file in {folder} ({error.strerror or error})",
                       "choose a folder you can write to") from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            os.fchmod(handle, stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode())
            output = Output(stream)
            yield output
            stream.flush()
            os.fsync(stream.fileno())
        if output.written:
            os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # either does not exist (yet): the same path is the same file
        return os.path.realpath(one) == os.path.realpath(other)


def check_folder(path: Path, option: str) -> None:
    """InputError unless ``path`` is a folder or can be created as one (exit 2, one line)."""
    if path.exists():
        if not path.is_dir():
            raise _refused(option, path, f"is a file; {option} names a folder (created if missing)", "")
        return
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise _refused(option, path, f"{existing} is not a folder", "")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _refused(option, path, f"cannot create a folder in {existing} (permission denied)",
                       "choose a folder you can write to")
