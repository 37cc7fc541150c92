"""Batch reports end to end on the sample squad: files, figures, hidden code, escaping, failures."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys

import pytest

from hipnb import SessionLog
from hipnb.cli import main
from hipnb.log import manual_row

from .conftest import SAMPLE


@pytest.mark.slow
def test_report_batch_over_the_sample_squad(tmp_path, capsys):
    logs = tmp_path / "logs"
    shutil.copytree(SAMPLE, logs)
    SessionLog(logs / "ana.csv").append(
        [
            manual_row(
                "ana",
                "side_plank",
                "left",
                33,
                started_at="2026-11-22T18:00:00+01:00",
                note="<script>alert(1)</script> & more, $x$ stays text",
            )
        ]
    )
    out = tmp_path / "reports"
    code = main(
        ["report", "--log", str(logs), "--out", str(out), "--athlete", "ana", "--athlete", "dev",
         "--athlete", "nobody", "--quiet"]
    )  # fmt: skip
    assert code == 1, "a failed athlete makes the exit status 1"
    err = capsys.readouterr().err
    assert "nobody: FAILED: no athlete 'nobody'\n" in err
    ana = (out / "ana.html").read_text()
    assert "ana: hip routine report" in ana
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ana and "<script>alert(1)" not in ana
    assert "import hipnb" not in ana and "charts.athlete_dashboard" not in ana, "code is hidden"
    assert re.search(r'<img[^>]+src="data:image/png;base64', ana), "the dashboard is embedded"
    assert "Weekly adherence" in ana and "Personal bests" in ana
    tables = _table_text(ana)
    assert "Reclining Bound Angle Pose 5 min 23 s Fri 20 Nov 2026" in tables, "names, rounded"
    assert "Side plank left 33 s" not in tables and "Side plank left 53 s" in tables
    assert "$x$ stays text" in tables
    for bad in ("NaN", "<NA>", "nan", "bound_angle", "side_plank", "athlete", "best_s"):
        assert bad not in tables, f"{bad!r} in a report table"
    assert "row_heading" not in ana and "index_name" not in ana, "no pandas index"
    for page in (ana, (out / "squad.html").read_text()):
        assert "<script" not in page, "no scripts, from a CDN or elsewhere"
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing fetched remotely"
        assert "mathjax" not in page.lower() and "require.js" not in page
    dev = (out / "dev.html").read_text()
    assert "right side plank" in dev and "weaker than left" in dev
    squad = (out / "squad.html").read_text()
    assert "Squad summary" in squad and "plank right 31% weaker\u00a0(&gt;\u00a015%)" in squad
    assert '<a href="ana.html">ana</a>' in squad and '<a href="dev.html">dev</a>' in squad
    assert "nobody" in squad
    assert not (out / "nobody.html").exists()


def _table_text(page: str) -> str:
    """The visible text of every table on a page, one space between cells."""
    tables = re.findall(r"<table.*?</table>", page, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", t) for t in tables)
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.mark.slow
def test_report_terminal_output_is_the_bar_and_one_line_per_failure(tmp_path):
    """Run as a user would (real file descriptors): kernels' own warnings stay off the terminal."""
    run = subprocess.run(
        [sys.executable, "-m", "hipnb", "report", "--log", str(SAMPLE), "--out",
         str(tmp_path / "r"), "--athlete", "ana", "--athlete", "nobody"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stdout == ""
    lines = [x for x in re.split(r"[\r\n]+", run.stderr) if x.strip()]
    bar = [x for x in lines if x.startswith("reports:")]
    others = [x for x in lines if not x.startswith("reports:")]
    assert bar and "2/2" in bar[-1]
    assert others == ["nobody: FAILED: no athlete 'nobody'"]
    assert (tmp_path / "r" / "ana.html").exists()
