"""Every notebook runs top to bottom, headless, on the bundled sample data."""

from __future__ import annotations

import pytest

from .conftest import ROOT
from .execute import run_notebook

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_RUN: dict[str, object] = {}  # each notebook is run once, whichever test asks first


def executed(path):
    if path.name not in _RUN:
        _RUN[path.name] = run_notebook(path, timeout=180)
    return _RUN[path.name]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_headless(path):
    nb = executed(path)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_sliced_client_still_times_out_a_slow_cell(tmp_path):
    import nbformat
    from nbclient.exceptions import CellTimeoutError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(5)")])
    path = tmp_path / "slow.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellTimeoutError):
        run_notebook(path, timeout=1)


@pytest.mark.slow
def test_start_here_ends_on_a_readable_table_and_the_next_notebook():
    nb = executed(ROOT / "notebooks" / "00_start_here.ipynb")
    last_code = [c for c in nb.cells if c.cell_type == "code"][-1]
    printed = "".join(o.get("text", "") for o in last_code.outputs if o.output_type == "stream")
    assert "problems: []" not in printed and "problems found: 0." in printed, printed
    table = next(o for o in last_code.outputs if o.output_type == "execute_result")
    html = table["data"]["text/html"]
    for header in ("Athlete", "Sessions", "Holds", "First", "Last"):
        assert f">{header}</th>" in html, header
    assert "Sun 22 Nov 2026" in html, "dates as people read them"
    assert "00:00" not in html and ":20" not in html, "no raw timestamps"
    ending = nb.cells[-1]
    assert ending.cell_type == "markdown" and "(01_routine_timer.ipynb)" in ending.source
