"""One public surface: what ``hipnb.__all__`` and the public submodules list is all notebooks and the
README may use, and every Python example in the README runs."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil

import pytest
from IPython.core.inputtransformer2 import TransformerManager

import hipnb

from .conftest import ROOT

#: The submodules the README names as public; each lists its public names in ``__all__``.
PUBLIC_MODULES = ("analysis", "charts", "demo", "log", "report", "runs", "widgets")

README = ROOT / "README.md"
NOTEBOOKS = sorted(
    [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "hipnb/templates").glob("*.ipynb")]
)


def test_all_is_pinned_and_sorted():
    assert hipnb.__all__ == [
        "HipnbError",
        "Hold",
        "HoldEditor",
        "LogError",
        "ManualEntry",
        "Problem",
        "ProgressView",
        "ReviewBox",
        "RosterView",
        "Routine",
        "RoutineError",
        "SessionLog",
        "Step",
        "Timer",
        "TimerPanel",
        "WriteError",
        "athlete_path",
        "did_you_mean",
        "hold_ids",
        "list_routines",
        "load_routine",
        "problems",
        "read_logs",
    ]
    assert hipnb.__all__ == sorted(hipnb.__all__)
    for name in hipnb.__all__:
        assert getattr(hipnb, name) is not None
    assert isinstance(hipnb.__version__, str)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_submodules_are_named_in_the_readme_and_list_their_names(name):
    module = importlib.import_module(f"hipnb.{name}")
    assert f"`hipnb.{name}`" in README.read_text(), f"the README does not name hipnb.{name}"
    assert module.__all__ == sorted(module.__all__)
    for attr in module.__all__:
        assert hasattr(module, attr), f"hipnb.{name}.__all__ lists {attr!r}, which is missing"
    assert getattr(hipnb, name) is module


def _public(module: str) -> set[str]:
    if module == "hipnb":
        return {*hipnb.__all__, *PUBLIC_MODULES}
    return set(importlib.import_module(module).__all__)


def _is_public_module(module: str) -> bool:
    return module == "hipnb" or module.removeprefix("hipnb.") in PUBLIC_MODULES


def private_uses(code: str) -> list[str]:
    """Names ``code`` uses that are not public: a ``_name`` attribute of anything, a module of
    hipnb that is not public, or a name a public module does not list in its ``__all__``."""
    tree = ast.parse(TransformerManager().transform_cell(code))
    modules: dict[str, str] = {}  # local name -> the hipnb module it is
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] != "hipnb":
                    continue
                if not _is_public_module(a.name):
                    found.append(a.name)
                modules[a.asname or "hipnb"] = a.name if a.asname else "hipnb"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "hipnb":
            module = node.module or ""
            if not _is_public_module(module):
                found.append(module)
                continue
            for a in node.names:
                if a.name not in _public(module):
                    found.append(f"{module}.{a.name}")
                elif module == "hipnb" and a.name in PUBLIC_MODULES:
                    modules[a.asname or a.name] = f"hipnb.{a.name}"

    def module_of(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return modules.get(node.id)
        if isinstance(node, ast.Attribute):
            outer = module_of(node.value)
            if (
                outer is not None
                and f"{outer}.{node.attr}".removeprefix("hipnb.") in PUBLIC_MODULES
            ):
                return f"{outer}.{node.attr}"
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr.startswith("_") and not node.attr.startswith("__"):
            found.append(f"{ast.unparse(node)}")
            continue
        outer = module_of(node.value)
        if outer is not None and node.attr not in _public(outer):
            found.append(f"{outer}.{node.attr}")
    return found


@pytest.mark.parametrize(
    ("code", "private"),
    [
        ("import hipnb\nhipnb.log.empty_log()", []),
        ("from hipnb import analysis as a\na.roster(df)", []),
        ("import hipnb\nhipnb.log._validate(df)", ["hipnb.log._validate"]),
        ("import hipnb\nhipnb.names.did_you_mean('x', [])", ["hipnb.names"]),
        ("from hipnb.log.read import _read_bytes", ["hipnb.log.read"]),
        ("from hipnb.log import _validate", ["hipnb.log._validate"]),
        ("import hipnb.cli", ["hipnb.cli"]),
        ("from hipnb import charts\ncharts.common", ["hipnb.charts.common"]),
        ("%matplotlib inline\nlog = hipnb.SessionLog('a.csv')\nlog._lock", ["log._lock"]),
    ],
)
def test_the_check_finds_private_names(code, private):
    assert private_uses(code) == private


def _notebook_code(path):
    nb = json.loads(path.read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_use_only_public_names(path):
    assert private_uses(_notebook_code(path)) == []


def _readme_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_uses_only_public_names():
    assert _readme_blocks()
    assert private_uses("\n".join(_readme_blocks())) == []


def test_every_python_example_in_the_readme_runs(tmp_path, monkeypatch):
    """The README's Python blocks run in order in an empty folder outside the checkout, each in a
    namespace of its own: each block imports what it uses and needs no file of the repository."""
    monkeypatch.chdir(tmp_path)
    blocks = _readme_blocks()
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)
        assert set(namespace) - {"__builtins__"}, f"this README block defined nothing:\n{block}"


#: A placeholder in a README command line: a word in CAPITALS (PATH, DIR, REF, EXPORT), not a
#: make variable being set (HIPNB_HOST=0.0.0.0).
PLACEHOLDER = re.compile(r"(?<![\w=./-])[A-Z][A-Z0-9_]+(?![\w=])")


def readme_command_lines() -> list[str]:
    """Every line of the README's ``sh`` blocks, comments dropped."""
    blocks = re.findall(r"^ *```sh\n(.*?)^ *```", README.read_text(), flags=re.S | re.M)
    lines = [line.split(" #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def is_template(line: str) -> bool:
    return bool(PLACEHOLDER.search(line))


@pytest.mark.parametrize(
    ("line", "template"),
    [
        ("hipnb validate PATH PATH", True),
        ("hipnb edit --log data/logs/ana.csv REF --seconds 40", True),
        ("hipnb summary data/sample --athlete ana", False),
        ("make workshop WORKSHOP_ARGS=--allow-new", False),
        ("hipnb routines hip-basics", False),
    ],
)
def test_templates_are_the_lines_with_a_word_in_capitals(line, template):
    assert is_template(line) is template


@pytest.mark.slow
def test_every_command_line_in_the_readme_runs_as_written(tmp_path):
    """Each line of the README's ``sh`` blocks that is not a template runs, in order, as written:
    ``hipnb`` lines in a copy of the repository's ``data/`` with the project's ``.venv/bin`` first
    on PATH (as ``make shell`` has it), exit status 0; ``make`` lines as a dry run in the checkout
    (``make -n``: the target exists and its commands expand), since they start servers or the
    suite itself."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    lines = readme_command_lines()
    runnable = [line for line in lines if not is_template(line)]
    assert len(runnable) >= 15 and any(is_template(line) for line in lines), lines
    shutil.copytree(ROOT / "data", tmp_path / "data")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    for line in runnable:
        words = line.split()
        assert words[0] in ("hipnb", "make"), f"the README runs only hipnb and make: {line}"
        if words[0] == "make":
            argv, cwd = ["make", "-n", *words[1:]], ROOT
        else:
            argv, cwd = words, tmp_path
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, f"{line}\n{done.stderr}"
