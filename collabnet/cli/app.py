"""The ``collabnet`` program: its parser and :func:`main`, which turns errors into one line.

Commands are registered by their group's module (:mod:`~collabnet.cli.works`,
:mod:`~collabnet.cli.openalex`, :mod:`~collabnet.cli.sample`, :mod:`~collabnet.cli.analysis`);
each is one call of the library function of the same name. A user error (a bad option value,
a missing file, a malformed record) is printed as ``collabnet: error: …`` with exit status 2,
never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from collabnet._version import __version__
from collabnet.cli import analysis, jobs, openalex, report, sample, snapshot, works
from collabnet.cli.inputs import PROG, show_progress
from collabnet.errors import CollabnetError
from collabnet.progress import showing_progress

#: The modules that register commands, in the order ``--help`` lists them.
COMMAND_GROUPS = (works, openalex, snapshot, sample, analysis, report, jobs)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what is wrong) and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser (no heavy imports: ``--help`` stays fast)."""
    parser = _Parser(
        prog=PROG,
        description="International research collaboration from OpenAlex data.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def _terminate(signum, frame):  # noqa: ARG001 - signal handler
    """SIGTERM (a timeout, ``kill``) unwinds like Ctrl-C, so outputs are cleaned up."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 130 interrupted).

    Every failure is one line on standard error: collabnet's own errors and OS errors exit
    with 2, Ctrl-C and SIGTERM with 130 (a partly written output is removed, and the previous
    file, if any, is left as it was).
    """
    # A command is one process: Arrow's own allocators keep the memory a read frees for
    # later, the system's gives it back (on 1M works a cached `shares` peaks at 1.09
    # instead of 1.27 GB). Set before pyarrow's first use; a user's choice is kept.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings (e.g. an API key about to cross plain http) as one ``collabnet:`` line."""
    print(f"{PROG}: warning: {message}", file=file or sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    with warnings.catch_warnings():  # restores the caller's warning display afterwards
        warnings.showwarning = _one_line_warning
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        return int(exc.code or 0)
    if getattr(args, "level_default", None) is not None and args.level is None:
        from collabnet.keys import level_of_focus

        args.level = level_of_focus(getattr(args, "focus", None), args.level_default)
    try:
        with showing_progress(show_progress(args)):
            code = int(args.func(args) or 0)
        sys.stdout.flush()  # a full or closed stdout fails here, not at exit
        return code
    except CollabnetError as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`; nothing more to say.
        _quiet_stdout()
        return 0
    except OSError as exc:  # a file system or device error the library did not name
        if exc.filename:
            return _fail(f"{exc.filename}: {exc.strerror or exc}", 2)
        # No file named: printing to a full or closed standard output (e.g. > /dev/full).
        _quiet_stdout()
        return _fail(f"cannot write the output ({exc.strerror or exc})", 2)


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
