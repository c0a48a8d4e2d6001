"""The documentation site: its generated pages, the docstring check, and the strict build.

The generators and the docstring check (``docs/_hooks/docgen.py``) need only collabnet, so
those tests always run. The full ``mkdocs build --strict`` needs the ``docs`` extra
(``pip install ".[docs]"``) and skips, saying so, without it; ``.ci/run`` installs it and
builds the site after the tests in any case.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / "docs" / "_hooks"


def _docgen():
    spec = importlib.util.spec_from_file_location("collabnet_docgen", HOOKS / "docgen.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up there)
    spec.loader.exec_module(module)
    return module


docgen = _docgen()


def test_every_public_function_has_a_docstring():
    """What the build hook checks: nothing public without a docstring."""
    assert docgen.undocumented() == []


def test_undocumented_names_a_function_without_a_docstring(monkeypatch):
    """A public function whose docstring is removed is listed, by its public name."""
    import collabnet
    from collabnet.analysis import strength

    monkeypatch.setattr(strength.add_link_strength, "__doc__", None)
    missing = docgen.undocumented()
    assert "collabnet.add_link_strength (collabnet.analysis.strength.add_link_strength)" \
        in missing
    assert collabnet.add_link_strength is strength.add_link_strength


def test_library_reference_renders_every_public_name():
    """Every name of collabnet.__all__ is on a library page: a ::: block or, for a
    constant, its own heading; aliases (profile = collaboration_profile) share one block."""
    import collabnet

    pages = docgen.library_pages()
    text = "\n".join(pages.values())
    for name in collabnet.__all__:
        assert f"collabnet.{name}" in text, name
    assert "::: collabnet.analysis.profile.collaboration_profile" in text
    assert text.count("::: collabnet.analysis.profile.collaboration_profile") == 1
    assert "reference/library/building-blocks.md" in pages


def test_cli_reference_has_every_command():
    """The command-line page is made from build_parser(): each command, usage and options."""
    page = docgen.cli_page()
    names = docgen.command_names()
    assert "collabnet shares" in names and "collabnet rank" in names
    for name in names:
        assert f"`{name}`" in page, name
    assert "`--collaboration-rule {countries,leiden}`" in page
    assert "usage: collabnet shares" in page


def test_job_file_page_from_a_schema():
    """The job-file page from a small schema: TOML sections, keys, types, variants."""
    schema = {
        "title": "job", "description": "A job.", "type": "object", "required": ["input"],
        "properties": {
            "job": {"type": "object", "description": "the job",
                    "properties": {"name": {"type": "string", "description": "a name"}},
                    "additionalProperties": False},
            "input": {"type": "array", "description": "inputs", "items": {
                "type": "object", "properties": {
                    "kind": {"enum": ["a", "b"], "description": "which"},
                    "path": {"type": ["string", "array"], "items": {"type": "string"},
                             "description": "files | folders", "default": "."}},
                "allOf": [{"if": {"properties": {"kind": {"const": "a"}}},
                           "then": {"$ref": "#/$defs/a"}}]}},
        },
        "$defs": {"a": {"type": "object", "description": "kind a",
                        "properties": {"x": {"type": "integer", "minimum": 1}}}},
    }
    page = docgen.job_file_page(schema, example=("job.toml", "[job]\nname = 'x'\n"))
    assert "| [`[job]`](#job) | the job |  |" in page
    assert "| [`[[input]]`](#input) | inputs | yes |" in page
    assert "| `path` | string or array of string |  | files \\| folders (default `\".\"`) |" \
        in page
    assert '### `kind = "a"`' in page
    assert "| `x` | integer |  | at least `1` |" in page
    assert "Any other key is an error." in page
    assert "```toml\n[job]\nname = 'x'\n```" in page


def test_job_file_page_from_the_jobs_schema():
    """The real page, from collabnet.jobs.schema.job_schema(), with the example job."""
    pytest.importorskip("collabnet.jobs.schema", reason="collabnet.jobs.schema is not here")
    page = docgen.job_file_page(example=docgen._example_job())
    assert "`[[analysis]]`" in page and "`[[input]]`" in page
    assert 'kind = "shares"' in page


def test_a_missing_jobs_schema_is_a_clear_error(monkeypatch):
    """Without the jobs package the build stops with a message that says what is missing."""
    monkeypatch.setattr(docgen, "JOB_SCHEMA_MODULE", "collabnet.no_such_jobs.schema")
    with pytest.raises(docgen.DocsError, match="collabnet.no_such_jobs is missing"):
        docgen.job_schema()


def test_strict_build(tmp_path):
    """``mkdocs build --strict`` of the whole site passes, with the generated pages in it."""
    for module in ("mkdocs", "mkdocstrings_handlers.python", "material", "pymdownx"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed: the docs build needs "
                        "pip install '.[docs]' (.ci/run builds the site anyway)")
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    cli = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    assert "collabnet shares" in cli
    indicators = (site / "reference" / "library" / "indicators.html").read_text(encoding="utf-8")
    assert 'id="collabnet.analysis.shares.shares"' in indicators
    assert (site / "reference" / "job-file.html").is_file()
    assert (site / "img" / "gexf-sigma.png").is_file()
    assert not (site / "_hooks").exists() and not (site / "_tools").exists()
