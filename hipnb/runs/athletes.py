"""Which athlete an import writes to: a known one, or a new one only when asked for."""

from __future__ import annotations

import csv
from pathlib import Path

from hipnb.errors import HipnbError
from hipnb.log import athlete_path
from hipnb.names import did_you_mean, same_athlete_problem
from hipnb.runs.store import runs_path

#: Bytes read from the top of each log to learn whose it is.
_HEAD_BYTES = 1 << 16


def check_athlete(logs: Path, athlete: str, *, new_athlete: bool) -> None:
    """Refuse ``athlete`` unless it has a hold log or run log in ``logs``, or ``new_athlete``.

    A name matching a known athlete only by case or accents (``Ana`` beside ``ana``) is refused
    even with ``new_athlete``: :func:`hipnb.names.same_athlete_problem` is the one gate.
    """
    if athlete_path(logs, athlete).is_file() or runs_path(logs, athlete).is_file():
        return
    known = known_athletes(logs)
    why = same_athlete_problem(athlete, known)
    if why:
        raise HipnbError(why)
    if athlete in known or new_athlete:
        return
    hint = did_you_mean(athlete, known)
    raise HipnbError(
        f"no athlete {athlete!r} in {logs} yet"
        + (f" ({hint})" if hint else "")
        + ": to start a new athlete's run log on purpose, pass --new-athlete "
        "(new_athlete=True in Python)"
    )


def known_athletes(logs: Path) -> set[str]:
    """Athletes with a hold log (``logs/*.csv``) or a run log (``logs/runs/*/runs.csv``).

    A log's athlete is read from its first rows (a log holds one athlete's rows as the doors write
    it); a file that cannot be read names nobody.
    """
    files = sorted(logs.glob("*.csv")) + sorted((logs / "runs").glob("*/runs.csv"))
    names: set[str] = set()
    for f in files:
        names |= _athletes_in(f)
    return names


def _athletes_in(path: Path) -> set[str]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return set()
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    if len(head) == _HEAD_BYTES:
        lines = lines[:-1]  # it may be cut
    try:
        rows = list(csv.DictReader(lines))
    except csv.Error:
        return set()
    return {r["athlete"].strip() for r in rows if (r.get("athlete") or "").strip()}
