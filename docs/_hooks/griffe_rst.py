"""A griffe extension: collabnet's reStructuredText docstring markup, as Markdown.

collabnet's docstrings are numpydoc with Sphinx roles (``:func:`shares```), ``:math:``
and ``.. math::``. For the objects the library reference renders, this rewrites them for
mkdocstrings before they are parsed:

- ``:func:`x```, ``:class:``, ``:meth:``, ``:attr:``, ``:data:``, ``:mod:``, ``:exc:`` become
  cross-references (``[`x`][path]``) when ``x`` is rendered in the library reference, and
  code otherwise; ``~`` shows the last name only. A target that names nothing in collabnet
  (a broken reference) is a warning, which fails ``mkdocs build --strict``.
- ``:math:`…``` becomes ``$…$`` and a ``.. math::`` block ``$$ … $$`` (pymdownx.arithmatex).
- A paragraph ending in ``::`` (a literal block follows) ends in ``:``.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from pathlib import Path

import griffe

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docgen  # noqa: E402  (beside this file)

# Under the "mkdocs" logger, so that a warning fails `mkdocs build --strict`.
log = logging.getLogger("mkdocs.plugins.collabnet_docs")

ROLE = re.compile(r":(?:py:)?(func|class|meth|attr|data|mod|exc|obj|const):`([^`]+)`")
MATH = re.compile(r":math:`([^`]+)`")
MATH_BLOCK = re.compile(r"^(\s*)\.\. math::[ \t]*(.*)$")


def _lookup(path: str):
    """The runtime object at a dotted ``path`` (a module, then attributes), or raise."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        parent = None
        for name in parts[i:]:
            parent, obj = obj, getattr(obj, name)
        return obj, parent
    raise LookupError(path)


def _canonical(obj, parent, name: str) -> str:
    path = docgen.canonical_path(obj)
    if path is not None:
        return path
    owner = docgen.canonical_path(parent) if parent is not None else None
    return f"{owner}.{name}" if owner else name


class RstToMarkdown(griffe.Extension):
    """Rewrite the docstrings of rendered objects from reST markup to Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered = docgen.rendered_paths()

    def on_object(self, *, obj, loader, **kwargs) -> None:
        if obj.docstring is None or obj.path not in self._rendered:
            return
        obj.docstring.value = self.convert(obj.docstring.value, obj)

    def _resolve(self, target: str, obj) -> str | None:
        """Canonical path of ``target`` as written in ``obj``'s docstring, or None."""
        target = target.lstrip(".")
        module = obj.module.path
        scopes = [target, f"{module}.{target}"]
        if obj.parent is not None and obj.parent.is_class:
            scopes.insert(0, f"{obj.parent.path}.{target}")
        if obj.is_class:
            scopes.insert(0, f"{obj.path}.{target}")
        scopes.append(f"collabnet.{target}")
        for path in scopes:
            try:
                found, parent = _lookup(path)
            except (LookupError, AttributeError):
                continue
            return _canonical(found, parent, path.rsplit(".", 1)[-1])
        return None

    def _role(self, match: re.Match, obj) -> str:
        kind, text = match.group(1), match.group(2).strip()
        title = None
        m = re.match(r"^(.*?)\s*<([^>]+)>$", text)
        if m:
            title, text = m.group(1), m.group(2)
        short = text.startswith("~")
        target = text.lstrip("~")
        shown = title or (target.rsplit(".", 1)[-1] if short else target.lstrip("."))
        if kind in ("func", "meth") and not title and not shown.endswith(")"):
            shown += "()"
        path = self._resolve(target, obj)
        if path is None:
            log.warning("collabnet docs: %s: broken reference :%s:`%s` (no such object)",
                        obj.path, kind, match.group(2))
            return f"`{shown}`"
        if path in self._rendered and path != obj.path:
            return f"[`{shown}`][{path}]"
        return f"`{shown}`"

    def convert(self, text: str, obj) -> str:
        """The docstring ``text`` of ``obj`` with reST markup replaced by Markdown."""
        text = self._math_blocks(text)
        text = MATH.sub(lambda m: f"${m.group(1).strip()}$", text)
        text = ROLE.sub(lambda m: self._role(m, obj), text)
        text = re.sub(r"(\S)::$", r"\1:", text, flags=re.M)
        return text

    @staticmethod
    def _math_blocks(text: str) -> str:
        lines = text.split("\n")
        out: list[str] = []
        i = 0
        while i < len(lines):
            m = MATH_BLOCK.match(lines[i])
            if not m:
                out.append(lines[i])
                i += 1
                continue
            indent, first = m.group(1), m.group(2)
            body = [first] if first.strip() else []
            i += 1
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
                if lines[i].strip():
                    body.append(lines[i].strip())
                elif body and i + 1 < len(lines) and not lines[i + 1].strip():
                    break
                i += 1
            while out and not out[-1].strip():
                out.pop()
            out += ["", f"{indent}$$", *(f"{indent}{b}" for b in body), f"{indent}$$", ""]
        return "\n".join(out)
