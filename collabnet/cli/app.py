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
import sys
from collections.abc import Sequence

from collabnet._version import __version__
from collabnet.cli import analysis, openalex, sample, works
from collabnet.cli.inputs import PROG
from collabnet.errors import CollabnetError

#: The modules that register commands, in the order ``--help`` lists them.
COMMAND_GROUPS = (works, openalex, sample, analysis)


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        return int(exc.code or 0)
    try:
        return int(args.func(args) or 0)
    except CollabnetError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`; nothing more to say.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
