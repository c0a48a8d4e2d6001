"""Lazy re-exports: a package's public names, imported from their modules on first use.

This keeps ``import collabnet`` (and ``collabnet.analysis``, ``collabnet.export``) light: the
package lists where each name lives, and pandas, networkx or pyarrow load only when a name
that needs them is first used.
"""

from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, exports: dict[str, tuple[str, str]]):
    """``(__getattr__, __dir__)`` for ``package`` that import ``exports`` on first use.

    ``exports`` maps a public name to ``(module, attribute)``. The value is cached in the
    package's namespace, so later look-ups are plain attribute reads.
    """

    def __getattr__(name: str):
        try:
            module, attr = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), attr)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
