"""Real browser at 1280x800: notebook 03's outputs fit their boxes in JupyterLab, squad.html fits the
window, and report pages (the squad's index.html, athletes/<name>.html) make no request that leaves
the machine. Screenshots are saved."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from .browser import (
    CAP_S,
    chromium_page,
    notebook_kernel,
    open_and_run_notebook,
)
from .conftest import ROOT, SAMPLE
from .rows import write_rows

# the per-test cap covers starting a server on a loaded machine; every wait inside is on a state
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

LAPTOP = {"width": 1280, "height": 800}

#: Every output area wider than its box: its own scroll width, or a descendant reaching past it.
OVERFLOWING = """(out) => {
  const box = out.getBoundingClientRect();
  let right = box.right;
  for (const el of out.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > right) right = r.right;
  }
  const over = Math.max(out.scrollWidth - out.clientWidth, right - box.right);
  return over > 1 ? {over: over, width: box.width, text: out.innerText.slice(0, 80)} : null;
}"""


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("HIPNB_SHOTS", tmp_path / "shots"))


def _overflowing_outputs(page) -> list[dict]:
    outputs = page.locator(".jp-OutputArea-output")
    bad = []
    for i in range(outputs.count()):
        out = outputs.nth(i)
        out.scroll_into_view_if_needed()
        found = out.evaluate(OVERFLOWING)
        if found:
            bad.append(found)
    return bad


def _until_cells_run(page) -> None:
    """Wait until the first cell has run (the page runs them in order)."""
    page.locator(".jp-InputPrompt", has_text="[1]").first.wait_for(timeout=CAP_S * 1000)


def test_coach_review_notebook_fits_a_laptop(tmp_path, lab_server):
    base, token = lab_server, lab_server.token
    root = lab_server.root / "coach"
    shutil.copytree(SAMPLE, root / "logs")
    nb = nbformat.read(ROOT / "notebooks" / "03_coach_review.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('LOG = "../data/sample"', f'LOG = "{root / "logs"}"')
    assert str(root / "logs") in params.source
    nbformat.write(nb, root / "coach.ipynb")
    shots = _shots(tmp_path)
    with (
        notebook_kernel(base, "coach/coach.ipynb"),
        chromium_page(shots, watch=base) as page,
    ):
        page.set_viewport_size(LAPTOP)
        open_and_run_notebook(
            page, f"{base}/lab/workspaces/c{token[:8]}/tree/coach/coach.ipynb?reset&token={token}"
        )
        _until_cells_run(page)
        news = page.locator(".jp-Notification-Toast-Close, .jp-toast-button", has_text="No")
        if news.count() and news.first.is_visible():
            news.first.click()  # JupyterLab's "notified about news?" toast covers a corner
        table = page.locator(".jp-OutputArea-output table", has_text="Needs attention").first
        table.wait_for(timeout=CAP_S * 1000)
        page.locator(".jp-OutputArea-output img").last.wait_for(timeout=CAP_S * 1000)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=CAP_S * 1000
        )
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "coach-roster-1280x800.png"))
        headers = table.locator("th").all_inner_texts()
        assert headers[:2] == ["Needs attention", "Athlete"], headers
        first_row = table.locator("tbody tr").first.inner_text()
        assert first_row.startswith("discomfort 9/10") and "emma" in first_row, "red flag on top"
        row_heights = table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => r.getBoundingClientRect().height)"
        )
        assert max(row_heights) < 80, f"rows stay a few lines tall: {row_heights}"
        assert _overflowing_outputs(page) == []

        # drill down: pick an athlete, see the flags in full and the dashboard
        pick = page.locator(".widget-dropdown", has_text="Drill down").locator("select")
        pick.select_option("emma")
        details = page.locator(".jp-OutputArea-output", has_text="have it checked by a qualified")
        details.last.wait_for(timeout=CAP_S * 1000)
        drill = page.locator(".jp-OutputArea-output", has=page.locator("h3", has_text="emma"))
        drill.last.locator("img").last.wait_for(timeout=CAP_S * 1000)
        page.locator(".jp-OutputArea-output h3", has_text="emma").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "coach-drilldown-1280x800.png"))
        drill.last.locator("img").last.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "coach-drilldown-dashboard-1280x800.png"))
        assert _overflowing_outputs(page) == []

        # only the flagged
        page.locator(".widget-checkbox", has_text="only flagged").locator("input").check()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-OutputArea-output table')]
                 .some(t => t.innerText.includes('Needs attention')
                            && t.querySelectorAll('tbody tr').length === 4)"""
        )

        # since the last review, and the button that records one
        review = page.locator(".jp-OutputArea-output", has_text="No review yet").last
        review.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "coach-since-review-1280x800.png"))
        review.locator("button", has_text="Mark reviewed").click()
        page.locator(".jp-OutputArea-output", has_text="recorded in").last.wait_for()
        assert (root / "logs" / ".hipnb-review.json").exists()
        assert page.errors == []


def test_workshop_notebook_tables_fit_a_laptop(tmp_path, lab_server):
    """Notebook 04's flag table and printed summary fit 1280 px: no cell cut, no word broken."""
    base, token = lab_server, lab_server.token
    root = lab_server.root / "workshop"
    root.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "04_workshop.ipynb", as_version=4)
    nbformat.write(nb, root / "workshop.ipynb")
    shots = _shots(tmp_path)
    with (
        notebook_kernel(base, "workshop/workshop.ipynb"),
        chromium_page(shots, watch=base) as page,
    ):
        page.set_viewport_size(LAPTOP)
        open_and_run_notebook(
            page,
            f"{base}/lab/workspaces/w{token[:8]}/tree/workshop/workshop.ipynb?reset&token={token}",
        )
        _until_cells_run(page)
        table = page.locator(".jp-OutputArea-output table", has_text="Level").first
        table.wait_for(timeout=CAP_S * 1000)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=CAP_S * 1000
        )
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "workshop-flags-1280x800.png"))
        assert table.locator("th").all_inner_texts() == ["Athlete", "Level", "Flag"]
        cells = table.locator("tbody td").all_inner_texts()
        assert any("flag " in c for c in cells) and not any(c.endswith("...") for c in cells)
        summary = page.locator(".jp-OutputArea-output pre", has_text="Current streak").first
        summary.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "workshop-summary-1280x800.png"))
        lines = summary.inner_text().splitlines()
        assert len(lines) > 1 and all(len(line) <= 100 for line in lines), "wrapped, not cut"
        assert _overflowing_outputs(page) == []
        assert page.errors == []


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from hipnb import SessionLog
    from hipnb.log import manual_row
    from hipnb.report import render_reports

    out = tmp_path_factory.mktemp("reports")
    logs = out / "logs"
    shutil.copytree(SAMPLE, logs)
    write_rows(SessionLog(logs / "emma.csv"),
        [
            manual_row(
                "emma", "side_plank", "left", 30, started_at="2026-11-22T20:00:00+00:00",
                note="cost $x$ then $y$ km",
            )
        ]
    )  # fmt: skip
    batch = render_reports(
        logs, out / "pages", athletes=["ana", "emma"], as_of="2026-11-22", progress=False
    )
    assert not batch.failed
    return out / "pages"


def _record_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


@pytest.mark.parametrize("name", ["index.html", "athletes/emma.html"])
def test_report_pages_ask_nothing_of_other_machines_and_fit(reports, name, tmp_path):
    shots = _shots(tmp_path)
    with chromium_page(shots) as page:
        page.set_viewport_size(LAPTOP)
        seen = _record_requests(page)
        page.goto((reports / name).as_uri())
        page.wait_for_load_state("networkidle")
        local = ("file://", "data:", "blob:", "about:")
        assert seen and all(u.startswith(local) for u in seen), [
            u for u in seen if not u.startswith(local)
        ]
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways: {width}"
        shot = "report-" + Path(name).stem.replace("index", "squad")
        page.screenshot(path=str(shots / f"{shot}-1280x800.png"))
        page.screenshot(path=str(shots / f"{shot}-full.png"), full_page=True)
        if name.endswith("emma.html"):
            assert page.locator("text=cost $x$ then $y$ km").count() == 1, "a note is not maths"
            assert page.locator(".MathJax, mjx-container").count() == 0
        else:
            page.locator("a", has_text="emma").first.click()
            page.wait_for_url("**/athletes/emma.html")
            assert seen[-1].endswith("athletes/emma.html") and seen[-1].startswith("file://")
            page.locator("a", has_text="Squad summary").click()
            page.wait_for_url("**/index.html")
        assert page.errors == []
