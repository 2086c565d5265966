"""The exit-code contract of every `lake` command, and the exceptions that map onto it.

0 success; 1 the verdict is "no" (a mandatory rule fails, drift with --fail-on-drift, an access
question answered DENIED, a data operation refused by AWS); 2 usage, configuration or input error;
3 internal error (a bug in lake, or an exception in the Pulumi program under `lake plan`);
130 interrupted (Ctrl-C); 141 standard output closed early (`lake data ls | head`).

Commands return 0 or 1 for their verdict and raise for everything else; lake/cli.py turns an
exception into its exit code and message in one place, so a new command cannot get it wrong.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NO = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cmd | head` when cmd dies of it


class InputError(ValueError):
    """Bad usage, configuration or input (exit 2): one line naming the file, key path or option."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class ProgramError(Exception):
    """The Pulumi program itself failed under `lake plan` (exit 3): an exception or sys.exit in it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint
