"""The ``collabnet`` command line: a thin shell over the library.

Every command is one call of the public library function of the same name (``collabnet
shares`` → :func:`collabnet.shares`); this package adds only parsing (:mod:`.options`, declared
once), reading the inputs with progress (:mod:`.inputs`), and printing (:mod:`.format`).
Nothing in the library imports it.
"""

from collabnet.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
