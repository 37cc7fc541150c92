"""Real JupyterLab in a browser west of UTC (New York) and east of it (Tokyo): notebook 02's From
picker shows the chosen athlete's first day in her own zone, and a day picked on the page reaches the
kernel as that day."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from .browser import (
    chromium_page,
    notebook_kernel,
    open_and_run_notebook,
    wait_for_widget,
    wait_until,
)
from .conftest import ROOT, SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

#: Appended to the notebook: what the kernel holds as From, on the page.
KERNEL_SAYS = """import ipywidgets as w

said = w.Label("kernel From: unchanged")
view.start.observe(lambda change: setattr(said, "value", f"kernel From: {change.new}"), "value")
said"""
SAID = ".jp-OutputArea-output:has-text('kernel From:')"
DAY = re.compile(r"kernel From: (\d{4}-\d\d-\d\d)")


@pytest.mark.parametrize(("zone", "minutes"), [("America/New_York", 240), ("Asia/Tokyo", -540)])
def test_the_from_picker_shows_her_own_first_day_wherever_the_browser_is(
    tmp_path, lab_server, zone, minutes
):
    base, token = lab_server, lab_server.token
    root = lab_server.root / zone.replace("/", "-")
    shutil.copytree(SAMPLE, root / "data" / "sample")  # the notebook reads ../data/sample
    nb = nbformat.read(ROOT / "notebooks" / "02_my_progress.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(KERNEL_SAYS))
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "02.ipynb")
    path = f"{root.name}/notebooks/02.ipynb"
    browser = {"watch": base, "timezone_id": zone}
    with notebook_kernel(base, path), chromium_page(tmp_path / "shots", **browser) as page:
        open_and_run_notebook(
            page, f"{base}/lab/workspaces/z{minutes}/tree/{path}?reset&token={token}"
        )
        offset = page.evaluate("() => new Date(2026, 8, 1).getTimezoneOffset()")
        assert offset == minutes, f"the page runs in {zone}"
        wait_for_widget(page, ".widget-datepicker")
        start = page.locator(".widget-datepicker", has_text="From").locator("input")
        end = page.locator(".widget-datepicker", has_text="To").locator("input")
        wait_for_widget(page, SAID)  # the last cell ran: the kernel listens
        said = page.locator(SAID)
        # ana's first log is Tue 1 Sep 06:56 in New York (ben's, the squad's first, is 31 Aug)
        assert (start.input_value(), end.input_value()) == ("2026-09-01", "2026-11-22")
        start.fill("2026-10-01")
        told = wait_until(page, lambda: DAY.findall(said.text_content() or ""), "the kernel's From")
        assert told == ["2026-10-01"], "the day picked, not a day either side"
        assert start.input_value() == "2026-10-01"
        assert page.errors == []
