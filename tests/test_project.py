"""The project's own promises: environment files in sync, clean notebooks, a pinned public API."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import yaml

from hipnb.cli import _parser, main

from .conftest import ROOT


def _name_and_spec(req: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", req.strip())
    return m.group(1).lower(), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    wanted = dict(
        map(
            _name_and_spec,
            project["dependencies"] + [r for r in extras if r.split("[")[0] != "hipnb"],
        )
    )
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(
        _name_and_spec(d)
        for d in env["dependencies"]
        if isinstance(d, str) and not d.startswith(("python", "pip"))
    )
    assert conda == wanted
    assert "conda-forge" in env["channels"]
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert py.replace("python", "") == project["requires-python"]


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_are_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


def test_notebooks_exist_and_say_stop_on_sharp_pain_once():
    assert NOTEBOOKS
    texts = [p.read_text().lower() for p in NOTEBOOKS]
    assert sum("stop at once on sharp" in t for t in texts) >= 1
    for p, t in zip(NOTEBOOKS, texts, strict=True):
        assert t.count("not medical advice") <= 1, p.name


def test_dev_installs_every_extra_and_the_library_needs_no_server():
    """`make` installs `.[dev]`, which pulls in every extra; `pip install hipnb` stays a library."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert (
        f"hipnb[{','.join(sorted(set(extras) - {'dev'}, key=list(extras).index))}]" in extras["dev"]
    )
    library = {_name_and_spec(r)[0] for r in project["dependencies"]}
    assert not library & {"jupyterlab", "voila", "papermill", "nbconvert"}, library


def test_every_third_party_module_hipnb_imports_is_declared():
    """Each top-level module hipnb's code imports is the standard library's, hipnb's own, or a
    distribution pyproject declares (as a dependency or in an extra)."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        _name_and_spec(r)[0]
        for r in project["dependencies"]
        + [r for group in project["optional-dependencies"].values() for r in group]
    }
    dists = packages_distributions()
    missing = set()
    for path in (ROOT / "hipnb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("hipnb", "__future__"):
                    continue
                if not {d.lower() for d in dists.get(top, [top])} & declared:
                    missing.add(f"{path.relative_to(ROOT)}: {top}")
    assert not missing, sorted(missing)


def test_reports_without_the_report_extra_say_how_to_install_it(monkeypatch, tmp_path, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "jinja2", None)  # as if `pip install hipnb` alone
    assert main(["report", "--log", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "hipnb: error: reports need jinja2, from the report extra: pip install 'hipnb[report]'\n"
    )


def test_an_exported_host_never_binds_the_lan():
    """tcsh exports HOST (the machine's name): JupyterLab binds HIPNB_HOST only, and the workshop's
    room (on the network by design, behind its tokens) takes no address from the shell."""
    import os
    import subprocess

    env = {**os.environ, "HOST": "0.0.0.0"}
    plan = {
        target: subprocess.run(
            ["make", "-n", target],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
        for target in ("lab", "workshop")
    }
    assert "--ip=127.0.0.1" in plan["lab"] and "0.0.0.0" not in plan["lab"], plan["lab"]
    assert "hipnb room --logs data/logs" in plan["workshop"], plan["workshop"]
    assert "--host" not in plan["workshop"] and "0.0.0.0" not in plan["workshop"]


def test_every_command_has_help(capsys):
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"routines", "demo-data", "validate"}
    for name, p in sub.choices.items():
        assert p.description, f"{name} has no description"
        for action in p._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest} has no help"
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        assert "usage: hipnb " + name in capsys.readouterr().out


def test_module_runs_as_python_dash_m():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "hipnb", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "demo-data" in out and "validate" in out


def test_cli_summary_roster_and_athlete(capsys):
    from .conftest import SAMPLE

    assert main(["summary", str(SAMPLE), "--as-of", "2026-11-22"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "squad on Sun 22 Nov 2026"
    assert out[1].startswith("athlete") and len(out) == 10
    dev = next(line for line in out if line.startswith("dev"))
    assert "AMBER  plank right 31% weaker (> 15%)" in dev
    emma = next(line for line in out if line.startswith("emma"))
    assert "RED    discomfort 9/10 (≥ 7)" in emma
    assert main(["summary", str(SAMPLE), "--athlete", "emma", "--as-of", "2026-11-22"]) == 0
    assert "discomfort rising" in capsys.readouterr().out


def test_report_notebook_is_shipped_inside_the_package():
    shipped = ROOT / "hipnb" / "templates" / "athlete_report.ipynb"
    assert shipped.read_bytes() == (ROOT / "notebooks" / "athlete_report.ipynb").read_bytes()
    from hipnb.report.batch import NOTEBOOK
    from hipnb.report.page import stylesheet

    assert NOTEBOOK.resolve() == shipped.resolve()
    assert "body {" in stylesheet(), "the pages' stylesheet ships beside it"


@pytest.mark.slow
def test_wheel_ships_every_module(tmp_path):
    """Editable installs see every module; a wheel only ships the packages pyproject names."""
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("hipnb-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    source = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "hipnb").rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix in {".py", ".toml", ".js", ".css", ".ipynb", ".typed"}
    }
    assert source - shipped == set()
    assert "hipnb/log/read.py" in shipped
