"""Since the last review from the command line, the review file beside the logs, and name hints."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

import hipnb
from hipnb.cli import main
from hipnb.errors import HipnbError
from hipnb.names import did_you_mean
from hipnb.review import REVIEW_FILE, last_review, mark_reviewed, review_path

from .conftest import SAMPLE


@pytest.fixture
def squad(tmp_path):
    logs = tmp_path / "logs"
    shutil.copytree(SAMPLE, logs)
    return logs


def test_mark_reviewed_then_since_review(squad, capsys):
    end = ["--as-of", "2026-11-22"]  # the sample's last day
    assert main(["summary", str(squad), "--since-review", *end]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("No review yet: the last 7 days, up to Sun 22 Nov 2026 (")
    assert not any("since the review" in line for line in out), "one header, not two"
    # what needs attention now comes first: emma's standing RED flags, though not new
    assert out[1].split()[:3] == ["emma", "RED", "FLAG"] and "9/10" in out[1]
    assert out[2].split()[:3] == ["emma", "RED", "FLAG"] and "have it checked" in out[2]
    assert not any("new since the review" in line for line in out)
    assert main(["summary", str(squad), "--mark-reviewed", "--as-of", "2026-11-08"]) == 0
    said = capsys.readouterr().out
    assert f"review of Sun 08 Nov 2026 recorded in {squad / REVIEW_FILE}" in said
    assert json.loads((squad / REVIEW_FILE).read_text()) == {"reviewed": "2026-11-08"}
    assert main(["summary", str(squad), "--since-review", *end]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Since your review on Sun 08 Nov, up to Sun 22 Nov 2026:"
    assert out[1].split()[:3] == ["emma", "RED", "FLAG"]
    lines = [line.split() for line in out[1:]]
    kinds = {(w[0], " ".join(w[1:3])) for w in lines}
    assert ("chloe", "new streak") in kinds and ("ana", "personal best") in kinds
    # the reader never takes the review file for a log
    df = hipnb.read_logs(squad)
    assert not df.attrs["problems"] and set(df["athlete"]) >= {"ana", "hana"}


def test_a_review_after_the_logs_end_is_said_in_words(squad, capsys, monkeypatch):
    monkeypatch.setattr("hipnb.review.today", lambda: dt.date(2026, 11, 29))
    assert main(["summary", str(squad), "--mark-reviewed"]) == 0
    assert "review of Sun 29 Nov 2026 recorded" in capsys.readouterr().out
    assert main(["summary", str(squad), "--since-review"]) == 0  # today: 29 Nov
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "Reviewed today (Sun 29 Nov 2026): nothing new since (the logs end on Sun 22 Nov 2026):"
    )
    assert {line.split()[0] for line in out[1:]} == {"emma"}, "only the standing RED flag"
    assert main(["summary", str(squad), "--since-review", "--as-of", "2026-11-22"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "Your last review (Sun 29 Nov 2026) is after Sun 22 Nov 2026: the last 7 days up to then:"
    )
    assert "up to Sun 22 Nov 2026" not in out[0] or "after" in out[0]


def test_summary_reviews_as_of_today_by_default(squad, capsys, monkeypatch):
    monkeypatch.setattr("hipnb.review.today", lambda: dt.date(2026, 12, 1))
    assert main(["summary", str(squad)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "squad on Tue 01 Dec 2026 (the logs end on Sun 22 Nov 2026, 9 days before Tue 01 Dec 2026;"
        " --as-of 2026-11-22 reviews as of then)"
    )
    rows = [line for line in out[2:] if line.strip()]
    assert len(rows) == 8 and all("no log 9 d (≥ 7)" in line for line in rows)
    assert main(["summary", str(squad), "--as-of", "2026-11-22"]) == 0
    ana = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ana"))
    assert "no log" not in ana


def test_mark_reviewed_on_the_bundled_sample_leaves_the_tracked_tree_clean():
    """A review of the bundled sample writes its file there, and git ignores it."""
    import subprocess

    from .conftest import ROOT

    probe = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", f"data/sample/{REVIEW_FILE}"], check=False
    )
    assert probe.returncode == 0, "data/sample/.hipnb-review.json is not ignored by git"


def test_review_file_sits_beside_one_log_file_too(tmp_path):
    log = tmp_path / "ana.csv"
    assert review_path(log) == tmp_path / REVIEW_FILE and last_review(log) is None
    mark_reviewed(log, "2026-11-23")
    assert str(last_review(tmp_path)) == "2026-11-23"
    (tmp_path / REVIEW_FILE).write_text("not json")
    with pytest.raises(HipnbError, match=REVIEW_FILE):
        last_review(tmp_path)


def test_summary_for_a_typo_d_athlete_says_did_you_mean(squad, capsys):
    assert main(["summary", str(squad), "--athlete", "Dev"]) == 2
    assert "no athlete 'Dev'; did you mean 'dev'?" in capsys.readouterr().err
    assert main(["summary", str(squad), "--athlete", "dev"]) == 0
    assert "right side plank" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "choices", "hint"),
    [
        ("anna", ["ana", "ben"], "did you mean 'ana'?"),
        ("ZOË", ["Zoë", "ben"], "did you mean 'Zoë'?"),
        ("zoe", ["Zoë", "ben"], "did you mean 'Zoë'?"),
        ("李", ["李娜", "ben"], "did you mean '李娜'?"),
        ("李娜娜", ["李娜", "ben"], "did you mean '李娜'?"),
        ("han", ["ana", "hana"], "did you mean 'hana' or 'ana'?"),
        ("xavier", ["ana", "ben"], ""),
        ("ana", [], ""),
    ],
)
def test_did_you_mean(name, choices, hint):
    assert did_you_mean(name, choices) == hint
