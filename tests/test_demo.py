from __future__ import annotations

import pandas as pd

import hipnb
from hipnb.cli import main
from hipnb.demo import demo_log
from tests.rows import write_rows

from .conftest import SAMPLE


def test_demo_data_is_reproducible_and_valid(tmp_path):
    a = demo_log(athletes=3, weeks=2, seed=1)
    b = demo_log(athletes=3, weeks=2, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(demo_log(athletes=3, weeks=2, seed=2))
    log = hipnb.SessionLog(tmp_path / "all.csv")
    assert write_rows(log, a) == len(a)
    back = log.read(errors="raise")
    assert len(back) == len(a)
    assert set(back["exercise"]) == {"glute_roll", "bound_angle", "side_plank"}


def test_demo_profiles_are_recognisable():
    df = demo_log(athletes=6, weeks=12, seed=3)
    bound = df[df.exercise == "bound_angle"].copy()
    bound["week"] = pd.to_datetime(bound.started_at.str.slice(0, 10)).dt.isocalendar().week
    first, last = (
        bound.groupby(["athlete", "week"])
        .actual_s.mean()
        .groupby("athlete")
        .agg(["first", "last"])
        .T.values
    )
    gains = dict(zip(sorted(df.athlete.unique()), last - first, strict=True))
    assert gains["ana"] > 60, "the improver improves"
    assert abs(gains["ben"]) < 40, "the plateau stays"
    planks = df[df.exercise == "side_plank"].pivot_table(
        index="athlete", columns="side", values="actual_s"
    )
    ratio = planks["right"] / planks["left"]
    assert ratio["dev"] < 0.8 < ratio.drop("dev").min(), "the one-sided athlete favours the left"
    disc = df.dropna(subset=["discomfort"]).assign(d=lambda d: d.discomfort.astype(float))
    emma = disc[disc.athlete == "emma"].d.to_numpy()
    assert emma[-10:].mean() > emma[:10].mean() + 2, "rising discomfort rises"
    chloe_days = pd.to_datetime(
        df[df.athlete == "chloe"].started_at.str.slice(0, 10)
    ).dt.normalize()
    gaps = chloe_days.drop_duplicates().sort_values().diff().dt.days
    assert gaps.max() >= 7, "the skipper skips at least a week"


def test_cli_demo_data_writes_one_file_per_athlete(tmp_path, capsys):
    assert main(["demo-data", "--athletes", "3", "--weeks", "1", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["ana.csv", "ben.csv", "chloe.csv"]
    assert "for 3 athletes" in capsys.readouterr().out


def test_committed_sample_data_matches_the_generator():
    df = hipnb.read_logs(SAMPLE, errors="raise")
    assert df.athlete.nunique() == 8
    expected = demo_log(athletes=8, weeks=12, seed=7)
    assert len(df) == len(expected)
