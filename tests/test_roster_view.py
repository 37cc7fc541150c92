"""The coach widgets without a browser: RosterView sorts, filters and drills down; ReviewBox marks."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from hipnb import read_logs
from hipnb.analysis import ReviewDay
from hipnb.errors import HipnbError
from hipnb.review import REVIEW_FILE

from .conftest import SAMPLE

SAMPLE_END = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def squad():
    return read_logs(SAMPLE)


def test_roster_view_sorts_filters_and_drills_down(squad):
    from hipnb.analysis import Thresholds
    from hipnb.widgets import RosterView

    view = RosterView(ReviewDay(squad, as_of=SAMPLE_END))
    assert view.shown()["athlete"].tolist()[:4] == ["emma", "ben", "dev", "hana"], "red, then amber"
    assert "1 with a red flag" in view.count.value and "4 need attention" in view.count.value
    assert view.table.value.index("Needs attention") < view.table.value.index("Athlete")
    view.only_flagged.value = True
    assert set(view.shown()["athlete"]) == {"emma", "ben", "dev", "hana"}
    assert ">ana<" not in view.table.value and ">hana<" in view.table.value
    view.sort.value = "target met 28 d, lowest first"
    assert view.shown()["athlete"].tolist()[0] == "hana"
    view.reverse.value = True
    assert view.shown()["athlete"].tolist()[-1] == "hana"
    view.athlete.value = "emma"
    assert "ease off and have it checked by a qualified professional" in view.details.value
    assert ">discomfort rising (+1.1 points per two weeks" in view.details.value
    assert view.progress.athlete.value == "emma" and view.progress in view.drill.children
    view.athlete.value = "dev"
    assert "right side plank 31% weaker than left" in view.details.value
    assert view.progress.figure.get_suptitle().startswith("dev:")
    strict = RosterView(
        ReviewDay(
            squad, as_of=SAMPLE_END, thresholds=Thresholds(min_adherence=0.1, max_asymmetry=0.5)
        )
    )
    assert set(strict.roster.loc[strict.roster["level"] != "", "athlete"]) == {"emma"}


def test_roster_view_reviews_as_of_today_by_default(squad, monkeypatch):
    from hipnb.widgets import RosterView

    monkeypatch.setattr("hipnb.review.today", lambda: dt.date(2026, 11, 29))
    view = RosterView(ReviewDay.on(squad))
    assert "8 athletes on Sun 29 Nov 2026; 8 need attention" in view.count.value
    assert view.table.value.count("no log 7 d") == 8


def test_progress_view_names_a_typo_d_athlete():
    from hipnb.widgets import ProgressView

    with pytest.raises(HipnbError, match=r"no athlete 'anna' in the log; did you mean 'ana' or"):
        ProgressView(ReviewDay.on(read_logs(SAMPLE)), athlete="anna")


def test_review_box_shows_changes_and_marks_the_review(tmp_path, squad):
    from hipnb.widgets import ReviewBox

    shutil.copytree(SAMPLE, tmp_path / "logs")
    logs = tmp_path / "logs"
    box = ReviewBox(ReviewDay(squad, as_of=dt.date(2026, 11, 15)), logs)
    assert "No review yet: the last 7 days, up to Sun 15 Nov 2026" in box.heading.value
    assert "personal best" in box.table.value and "<th" in box.table.value
    box.button.click()
    assert (logs / REVIEW_FILE).exists() and "Sun 15 Nov 2026" in box.heading.value
    assert "Reviewed today" in box.heading.value and "recorded in" in box.status.value
    assert "personal best" not in box.table.value, "nothing is new on the day of the review"
    # a week on (as_of defaults to today): emma's standing RED flag first, then what changed
    week_on = ReviewBox(ReviewDay(squad, as_of=dt.date(2026, 11, 22)), logs)
    assert "Since your review on Sun 15 Nov, up to Sun 22 Nov 2026" in week_on.heading.value
    table = week_on.table.value
    assert table.index("red flag") < table.index("new streak") and "chloe" in table
    assert table.index("emma") < table.index("ana"), "RED rows before the athletes' changes"
    later = ReviewBox(ReviewDay(squad, as_of=dt.date(2026, 11, 30)), logs)
    later.mark()
    assert "(the logs end on Sun 22 Nov 2026)" in later.heading.value
    assert "personal best" not in later.table.value and "mean hip discomfort" in later.table.value


@pytest.mark.slow
def test_notebook_02_with_a_typo_d_athlete_says_did_you_mean(tmp_path):
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from .conftest import ROOT
    from .execute import run_notebook

    nb = nbformat.read(ROOT / "notebooks" / "02_my_progress.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = f"LOG = {str(SAMPLE)!r}\nATHLETE = 'anna'\nAS_OF = None"
    nbformat.write(nb, tmp_path / "typo.ipynb")
    with pytest.raises(CellExecutionError) as err:
        run_notebook(tmp_path / "typo.ipynb", timeout=120)
    message = re.sub(r"\x1b\[[0-9;]*m", "", str(err.value))  # no terminal colours
    assert "HipnbError: no athlete 'anna' in the log; did you mean 'ana' or 'hana'?" in message
    assert "TraitError" not in message
