"""Synthetic but realistic session logs, for demos, workshops, tests and benchmarks.

Each athlete gets a profile that a coach will recognise: one improves, one plateaus, one skips whole
weeks, one favours a side, one reports rising discomfort, and so on. Everything is vectorised, so a
million rows take seconds, and a seed makes it reproducible.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from hipnb.log import COLUMNS, SessionLog, athlete_path
from hipnb.log.gate import Catalog, admit
from hipnb.log.stamps import stamp_texts
from hipnb.routines import Routine, load_routine
from hipnb.runs.store import RunLog, runs_path

PROFILES = ("improver", "plateau", "skipper", "one_sided", "rising_discomfort", "steady")
_NAMES = (
    "ana",
    "ben",
    "chloe",
    "dev",
    "emma",
    "femi",
    "gus",
    "hana",
    "ivan",
    "jade",
    "kofi",
    "lena",
)
_ZONES = (
    "America/New_York",
    "Europe/Madrid",
    "Europe/London",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
)
_NOTES = (
    "tight left hip, eased off after the roll",
    "great session",
    "knees did not drop much today",
    "short on time, rushed the roll",
    "ran 12 km before, glutes sore",
    'plank felt "shaky" at the end',
)


#: The first day of the demo data (``hipnb demo-data --start`` and the bundled ``data/sample``).
START = "2026-08-31"
#: The last day of the bundled sample (``data/sample``: 12 weeks from :data:`START`). The views
#: review as of today by default; the sample notebooks and examples pass this day on purpose, so
#: the sample reads as it did when it was fresh on any later date.
SAMPLE_END = date.fromisoformat(START) + timedelta(weeks=12, days=-1)

__all__ = ["SAMPLE_END", "START", "athlete_ids", "demo_log", "demo_runs", "write_demo_data"]


def athlete_ids(n: int) -> list[str]:
    """``n`` readable athlete ids: first the built-in names, then ``athlete013`` and on."""
    return [_NAMES[i] if i < len(_NAMES) else f"athlete{i + 1:03d}" for i in range(n)]


def demo_log(
    athletes: int = 8,
    weeks: int = 12,
    seed: int = 7,
    start: date | str = START,
    routine: Routine | None = None,
) -> pd.DataFrame:
    """A synthetic log in the schema: ``athletes`` athletes over ``weeks`` weeks from ``start``.

    Returns a frame with the log's columns and ``started_at`` as text with the athlete's UTC offset,
    ready for :meth:`hipnb.SessionLog.add`. The same arguments always give the same rows.
    """
    if athletes < 1 or weeks < 1:
        raise ValueError("athletes and weeks must be at least 1")
    rng = np.random.default_rng(seed)
    routine = routine or load_routine("hip-basics")
    ids = athlete_ids(athletes)
    profile = np.array([PROFILES[i % len(PROFILES)] for i in range(athletes)])
    days = weeks * 7
    first = pd.Timestamp(start)

    # sessions: one draw per athlete-day
    a_idx = np.repeat(np.arange(athletes), days)
    d_idx = np.tile(np.arange(days), athletes)
    base_p = rng.uniform(0.55, 0.9, athletes)[a_idx]
    week = d_idx // 7
    skipped_week = (profile[a_idx] == "skipper") & (
        (week % 4 == 2) | (rng.random(athletes * weeks) < 0.15)[a_idx * weeks + week]
    )
    keep = (rng.random(len(a_idx)) < base_p) & ~skipped_week
    a_idx, d_idx = a_idx[keep], d_idx[keep]
    n_sess = len(a_idx)
    progress = d_idx / max(days - 1, 1)  # 0 at the start, 1 at the end
    prof = profile[a_idx]
    evening = rng.random(n_sess) < 0.35
    minute = np.where(
        evening,
        rng.integers(19 * 60, 23 * 60 + 40, n_sess),
        rng.integers(6 * 60 + 15, 8 * 60 + 45, n_sess),
    )
    local_start = first + pd.to_timedelta(d_idx, unit="D") + pd.to_timedelta(minute, unit="min")

    # per-session performance
    improve = np.select(
        [prof == "improver", prof == "plateau", prof == "rising_discomfort"],
        [progress, np.minimum(progress, 0.15), 0.3 * progress],
        0.5 * progress,
    )
    bound = np.clip(150 + 140 * improve + rng.normal(0, 20, n_sess), 60, 330).round()
    plank_left = np.clip(22 + 25 * improve + rng.normal(0, 3, n_sess), 8, 90).round()
    weaker = np.where(prof == "one_sided", 0.72, 0.96)
    plank_right = np.clip(plank_left * weaker + rng.normal(0, 2, n_sess), 5, 90).round()
    roll = np.clip(rng.normal(64, 6, n_sess), 20, 90).round()
    discomfort = np.select(
        [prof == "rising_discomfort", prof == "improver"],
        [1.5 + 7 * progress, 3 - 2 * progress],
        2 + 0 * progress,
    )
    discomfort = np.clip(np.round(discomfort + rng.normal(0, 0.8, n_sess)), 0, 10).astype(int)
    rpe = np.clip(np.round(rng.normal(5, 1.2, n_sess)), 0, 10).astype(int)
    asked = rng.random(n_sess) < 0.9  # some sessions end without the questions answered
    note_pick = np.where(rng.random(n_sess) < 0.12, rng.integers(0, len(_NOTES), n_sess), -1)

    # one row per hold step, with its start offset within the session
    holds, offsets, t = [], [], 0.0
    for step in routine.steps:
        if step.is_hold:
            holds.append(step)
            offsets.append(t)
        t += step.seconds
    per = len(holds)
    s_idx = np.repeat(np.arange(n_sess), per)
    h_idx = np.tile(np.arange(per), n_sess)
    target = np.array([h.seconds for h in holds])[h_idx]
    exercise = np.array([h.exercise for h in holds])[h_idx]
    side = np.array([h.side for h in holds])[h_idx]
    actual = np.select(
        [
            exercise == "bound_angle",
            (exercise == "side_plank") & (side == "left"),
            exercise == "side_plank",
        ],
        [bound[s_idx], plank_left[s_idx], plank_right[s_idx]],
        roll[s_idx],
    )
    actual = np.minimum(actual, np.where(exercise == "glute_roll", target, 330))
    completed = actual >= target  # held_to_target, for whole arrays
    local = local_start[s_idx] + pd.to_timedelta(np.array(offsets)[h_idx], unit="s")
    last = h_idx == per - 1

    athlete = np.array(ids)[a_idx][s_idx]
    zone = np.array(_ZONES)[np.arange(athletes) % len(_ZONES)][a_idx][s_idx]
    stamp = _stamp_with_offset(pd.Series(local), pd.Series(zone))
    notes = np.array(_NOTES + ("",))[note_pick][s_idx]
    df = pd.DataFrame(
        {
            "session_id": pd.Series(athlete).str.cat(
                pd.Series(local_start[s_idx].strftime("%Y%m%dT%H%M")), sep="-"
            ),
            "athlete": athlete,
            "started_at": stamp,
            "routine": routine.name,
            "exercise": exercise,
            "side": side,
            "target_s": target.astype(float),
            "actual_s": actual.astype(float),
            "completed": completed,
            "rpe": pd.array(np.where(last & asked[s_idx], rpe[s_idx], -1), dtype="Int64"),
            "discomfort": pd.array(
                np.where(last & asked[s_idx], discomfort[s_idx], -1), dtype="Int64"
            ),
            "note": np.where(last, notes, ""),
        }
    )
    for name in ("rpe", "discomfort"):
        df[name] = df[name].mask(df[name] < 0)
    return df[list(COLUMNS)]


def _stamp_with_offset(local: pd.Series, zone: pd.Series) -> pd.Series:
    """ISO 8601 text with each row's UTC offset, for wall-clock times in the given time zones."""
    out = pd.Series("", index=local.index, dtype="str")
    for tz, idx in local.groupby(zone).groups.items():
        wall = local.loc[idx]
        aware = wall.dt.tz_localize(
            tz, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="shift_forward"
        )
        out.loc[idx] = stamp_texts(aware.dt.tz_convert("UTC"), aware.dt.tz_localize(None))
    return out


#: Weekly running volume of the athlete who ramps up, as a multiple of their usual week.
RAMP = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.4, 1.9, 2.5, 3.3)
#: A week's runs: Tuesday, Thursday, Saturday and the Sunday long run, as shares of the week.
_RUN_DAYS, _RUN_SHARE = (1, 3, 5, 6), (0.2, 0.2, 0.2, 0.4)


def _lowest_adherence(log: pd.DataFrame, days: int = 28) -> str:
    """The athlete whose daily bound-angle target (180 s) was met on the fewest of the last days."""
    bound = log[log["exercise"] == "bound_angle"]
    day = pd.to_datetime(bound["started_at"].str[:10])
    totals = bound.groupby([bound["athlete"], day])["actual_s"].sum().reset_index()
    recent = totals[totals["started_at"] > day.max() - pd.Timedelta(days=days)]
    met = (recent["actual_s"] >= 180).groupby(recent["athlete"]).sum()
    return str(met.reindex(sorted(log["athlete"].unique()), fill_value=0).idxmin())


def demo_runs(
    log: pd.DataFrame, weeks: int = 12, seed: int = 7, start: date | str = START
) -> pd.DataFrame:
    """Runs for the athletes of a demo hold ``log`` (from :func:`demo_log`), in the run-log schema.

    Four runs a week (the Sunday one long) at a steady volume, except for the athlete who met the
    hip routine's daily target least over the last 28 days: their weekly distance ramps up over
    the last four weeks (:data:`RAMP`) while the routine lapses. Drawn from a random stream of
    its own, so the hold logs do not change with it.
    """
    rng = np.random.default_rng([seed, 16])
    ids = sorted(log["athlete"].unique())
    ramper = _lowest_adherence(log)
    zones = dict(zip(athlete_ids(len(ids)), np.resize(np.array(_ZONES), len(ids)), strict=True))
    first = pd.Timestamp(start)
    first = first - pd.Timedelta(days=first.day_of_week)
    rows = []
    for athlete in ids:
        base_km = rng.uniform(22, 45)
        pace = rng.uniform(4.8, 6.3) * 60  # seconds per km
        hour = rng.choice([6.5, 7.0, 18.5])
        for w in range(weeks):
            ramp = w - (weeks - len(RAMP))
            factor = RAMP[ramp] if athlete == ramper and ramp >= 0 else 1.0
            for weekday, share in zip(_RUN_DAYS, _RUN_SHARE, strict=True):
                km = base_km * factor * share * rng.normal(1, 0.05)
                wall = first + pd.Timedelta(
                    days=7 * w + weekday, hours=hour, minutes=rng.integers(0, 40)
                )
                if wall < pd.Timestamp(start):
                    continue
                rows.append(
                    {
                        "run_id": f"demo:{athlete}:{wall:%Y%m%dT%H%M}",
                        "athlete": athlete,
                        "wall": wall,
                        "zone": zones.get(athlete, _ZONES[0]),
                        "distance_m": round(km * 1000, 1),
                        "duration_s": round(km * pace * rng.normal(1, 0.03)),
                        "sport": "Run",
                        "source": "demo",
                        "name": "Long run" if share > 0.3 else "Easy run",
                    }
                )
    runs = pd.DataFrame(rows)
    runs["started_at"] = _stamp_with_offset(runs["wall"], runs["zone"])
    return runs.drop(columns=["wall", "zone"])


def write_demo_data(
    out: str | Path,
    athletes: int = 8,
    weeks: int = 12,
    seed: int = 7,
    start: date | str = START,
) -> list[Path]:
    """Write one log file per athlete into folder ``out`` (created) and their runs into
    ``out/runs/<athlete>/runs.csv``; return the hold-log files written.

    The holds pass the gate every new hold passes (:func:`hipnb.log.gate.admit`): a ``start`` that
    would put them more than a day in the future is refused with :class:`hipnb.LogError`, and
    nothing is written.
    """
    out = Path(out)
    df = demo_log(athletes=athletes, weeks=weeks, seed=seed, start=start)
    routine = load_routine("hip-basics")
    admit(df, catalog=Catalog(routines=(routine,)))  # every hold passes before any file is touched
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for athlete, rows in df.groupby("athlete", sort=True):
        path = athlete_path(out, str(athlete))
        path.unlink(missing_ok=True)
        SessionLog(path, routine=routine).add(rows, new_athlete=True)  # the door every hold passes
        written.append(path)
    runs = demo_runs(df, weeks=weeks, seed=seed, start=start)
    for athlete, rows in runs.groupby("athlete", sort=True):
        log = RunLog(runs_path(out, str(athlete)))
        log.path.unlink(missing_ok=True)
        log.append(rows)
    return written
