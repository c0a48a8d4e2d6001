"""mkdocs hooks of collabnet's documentation (``hooks:`` in ``mkdocs.yml``).

- ``on_config``: fail the build when a public function, class or method has no docstring
  (:func:`docgen.undocumented`), naming each one.
- ``on_files``: add the generated pages (command line, library reference, job file) to the
  site, made from the code when the site is built; they are never written into ``docs/``.

A page that cannot be generated (e.g. ``collabnet.jobs.schema`` is missing) fails the build
with a message that says why.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docgen  # noqa: E402  (beside this file)


def on_config(config, **kwargs):
    missing = docgen.undocumented()
    if missing:
        raise PluginError(
            f"{len(missing)} public function(s) or class(es) of collabnet have no docstring; "
            "document them (what it is, parameters, returns):\n  " + "\n  ".join(missing)
        )
    return config


def on_files(files, config, **kwargs):
    try:
        pages = docgen.generated_pages()
    except docgen.DocsError as exc:
        raise PluginError(f"collabnet docs: {exc}") from None
    for src_uri, content in pages.items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"collabnet docs: {src_uri} is generated; remove docs/{src_uri}")
        files.append(File.generated(config, src_uri, content=content))
    return files
