"""Batch reports end to end on the sample squad: files, figures, hidden code, escaping, failures."""

from __future__ import annotations

import shutil

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
                note="<script>alert(1)</script> & more",
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
    assert "nobody: FAILED" in err and "no rows for athlete 'nobody'" in err
    ana = (out / "ana.html").read_text()
    assert "ana: hip routine report" in ana
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ana and "<script>alert(1)" not in ana
    assert "import hipnb" not in ana and "charts.athlete_dashboard" not in ana, "code is hidden"
    assert "data:image/png;base64" in ana, "the dashboard is embedded"
    assert "Weekly adherence" in ana and "Personal bests" in ana
    dev = (out / "dev.html").read_text()
    assert "right side plank" in dev and "weaker than left" in dev
    squad = (out / "squad.html").read_text()
    assert "Squad summary" in squad and "side plank asymmetry" in squad
    assert 'href="ana.html"' in squad and "nobody" in squad
    assert not (out / "nobody.html").exists()
