"""Since the last review from the command line, the review file beside the logs, and name hints."""

from __future__ import annotations

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
    assert main(["summary", str(squad), "--since-review"]) == 0
    out = capsys.readouterr().out
    assert "no review recorded yet" in out and "since the review of Sun 15 Nov 2026" in out
    assert main(["summary", str(squad), "--mark-reviewed", "--as-of", "2026-11-08"]) == 0
    assert f"recorded in {squad / REVIEW_FILE}" in capsys.readouterr().out
    assert json.loads((squad / REVIEW_FILE).read_text()) == {"reviewed": "2026-11-08"}
    assert main(["summary", str(squad), "--since-review"]) == 0
    out = capsys.readouterr().out
    assert "since the review of Sun 08 Nov 2026, up to Sun 22 Nov 2026:" in out
    lines = [line.split() for line in out.splitlines()[1:]]
    kinds = {(w[0], " ".join(w[1:3])) for w in lines}
    assert ("chloe", "new streak") in kinds and ("ana", "personal best") in kinds
    # the reader never takes the review file for a log
    df = hipnb.read_logs(squad)
    assert not df.attrs["problems"] and set(df["athlete"]) >= {"ana", "hana"}


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
