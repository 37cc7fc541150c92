"""Real JupyterLab, as `make lab` runs it: opening notebooks 00 and 02 and saving them changes
nothing in the file (the kernel's metadata is the committed one)."""

from __future__ import annotations

import shutil

import pytest

from .browser import CAP_S, chromium_page, notebook_kernel, wait_until
from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.mark.parametrize("name", ["00_start_here.ipynb", "02_my_progress.ipynb"])
def test_a_notebook_opened_and_saved_in_lab_is_unchanged(tmp_path, lab_server, name):
    base, token = lab_server, lab_server.token
    folder = lab_server.root / "opened" / name[:2]
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / name, folder / name)
    path = f"opened/{name[:2]}/{name}"
    with notebook_kernel(base, path), chromium_page(tmp_path / "shots", watch=base) as page:
        page.goto(f"{base}/lab/workspaces/o{name[:2]}/tree/{path}?reset&token={token}")
        page.wait_for_selector(".jp-Notebook", timeout=CAP_S * 1000)
        page.locator(".jp-Toolbar-kernelName", has_text="Python").wait_for(timeout=CAP_S * 1000)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=CAP_S * 1000
        )
        before = (folder / name).stat().st_mtime_ns
        page.locator(".jp-Notebook").first.click()
        page.keyboard.press("Control+s")
        wait_until(page, lambda: (folder / name).stat().st_mtime_ns != before, "the save")
    assert (folder / name).read_text(encoding="utf-8") == (ROOT / "notebooks" / name).read_text(
        encoding="utf-8"
    )
