"""The house: one-way imports (import-linter), small rooms, a light ``import collabnet``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "collabnet"
LINT = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT, "--config", str(cwd / "pyproject.toml")], cwd=cwd, capture_output=True,
        text=True, env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}, timeout=300,
    )


def test_layers_contract_is_kept():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_back_up_the_pipeline_breaks_the_contract(tmp_path):
    """A copy of the package where tables imports analysis: import-linter must refuse it."""
    shutil.copytree(PACKAGE, tmp_path / "collabnet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    tables = tmp_path / "collabnet" / "tables.py"
    tables.write_text(tables.read_text() + "\nimport collabnet.analysis.shares  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "collabnet.tables -> collabnet.analysis.shares" in result.stdout


def test_a_new_module_outside_every_layer_breaks_the_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "collabnet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "collabnet" / "stray.py").write_text('"""Not in any layer."""\n')
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "collabnet.stray" in result.stdout


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def _modules_loaded_by(code: str) -> set[str]:
    script = code + "\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=REPO)
    return set(out.stdout.split())


@pytest.mark.parametrize("code", [
    "import collabnet",
    "import collabnet.testing",
    "from collabnet.cli import build_parser; build_parser().format_help()",
])
def test_light_imports_load_no_heavy_library(code):
    """``import collabnet``, the loopback server and ``collabnet --help`` load no pandas,
    numpy, pyarrow, networkx or scipy: they cost milliseconds, not a second."""
    loaded = _modules_loaded_by(code)
    heavy = {"pandas", "numpy", "pyarrow", "networkx", "scipy"} & loaded
    assert heavy == set()


def test_the_library_never_imports_the_cli_or_the_test_server():
    loaded = _modules_loaded_by(
        "import collabnet as cn\n"
        "t = cn.build_tables([{'id': 'W1', 'authorships': []}])\n"
        "cn.shares(t); cn.network(t); cn.centrality(t); cn.profile(t); cn.impact(t, ci=False)"
    )
    assert not any(m.startswith(("collabnet.cli", "collabnet.testing")) for m in loaded)


def test_public_api_names_resolve():
    import collabnet

    missing = [n for n in collabnet.__all__ if getattr(collabnet, n, None) is None]
    assert missing == []
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        collabnet.nope  # noqa: B018
