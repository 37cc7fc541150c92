"""Every notebook runs top to bottom, headless, on the bundled sample data."""

from __future__ import annotations

import pytest

from .conftest import ROOT
from .execute import run_notebook

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_headless(path):
    nb = run_notebook(path, timeout=180)
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
