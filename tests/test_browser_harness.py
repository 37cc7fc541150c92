"""The browser harness itself: a notebook cell that raises fails the wait for a widget at once,
with the exception's text, instead of leaving a test waiting on a widget that will never show;
a warning on stderr is not taken for an exception."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from .browser import (
    chromium_page,
    notebook_errors,
    notebook_kernel,
    open_and_run_notebook,
    wait_for_widget,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]


def test_a_cell_that_raises_fails_the_wait_for_a_widget(lab_server, tmp_path):
    root = lab_server.root / "harness"
    root.mkdir()
    cells = [
        new_code_cell("import warnings\nwarnings.warn('only a warning')"),
        new_code_cell("print('before')\nNOT_DEFINED_ANYWHERE"),
        new_code_cell("print('never run')"),
    ]
    nbformat.write(new_notebook(cells=cells), root / "raises.ipynb")
    base, token = lab_server, lab_server.token
    url = f"{base}/lab/workspaces/h{token[:8]}/tree/harness/raises.ipynb?reset&token={token}"
    with notebook_kernel(base, "harness/raises.ipynb"), chromium_page(tmp_path, watch=base) as page:
        open_and_run_notebook(page, url)
        with pytest.raises(AssertionError, match="NOT_DEFINED_ANYWHERE"):
            wait_for_widget(page, ".never-shown")
        errors = notebook_errors(page)
        assert len(errors) == 1 and "NameError" in errors[0], errors
        warned = page.locator(".jp-OutputArea-output", has_text="only a warning")
        assert warned.count() == 1  # shown, and not counted as an exception
