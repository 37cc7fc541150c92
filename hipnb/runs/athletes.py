"""Which athlete an import writes to: a known one, or a new one only when asked for."""

from __future__ import annotations

from pathlib import Path

from hipnb.errors import HipnbError
from hipnb.log import athlete_path
from hipnb.names import athlete_problem, known_athletes
from hipnb.runs.store import runs_path


def check_athlete(logs: Path, athlete: str, *, new_athlete: bool) -> None:
    """Refuse ``athlete`` unless it has a hold log or run log in ``logs``, or the name gate
    (:func:`hipnb.names.athlete_problem`) lets it start one: a name that differs from a known
    athlete only by case or accents never, a new name with ``new_athlete`` (or as the first
    athlete of an empty folder)."""
    if athlete_path(logs, athlete).is_file() or runs_path(logs, athlete).is_file():
        return
    why = athlete_problem(athlete, known_athletes(logs), new_athlete=new_athlete, where=logs)
    if why:
        raise HipnbError(why)
