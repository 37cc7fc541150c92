"""hipnb: timed hip-care routines, crash-safe CSV logs and progress charts, in Jupyter.

    >>> import hipnb
    >>> routine = hipnb.load_routine("hip-basics")
    >>> log = hipnb.SessionLog("data/ana.csv")

The public names are listed in ``__all__``; ``hipnb.analysis``, ``hipnb.charts`` and ``hipnb.runs`` are imported on
first use, so ``import hipnb`` stays light.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

from hipnb.errors import HipnbError, LogError, RoutineError
from hipnb.log import SessionLog, athlete_path, read_logs
from hipnb.routines import Routine, Step, list_routines, load_routine
from hipnb.timer import Timer

try:
    __version__ = version("hipnb")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "HipnbError",
    "LogError",
    "Routine",
    "RoutineError",
    "SessionLog",
    "Step",
    "Timer",
    "TimerPanel",
    "athlete_path",
    "list_routines",
    "load_routine",
    "read_logs",
]

_LAZY = {"analysis", "charts", "demo", "runs"}


def __getattr__(name: str):
    if name == "TimerPanel":  # widgets load ipywidgets; only pay for it when asked
        from hipnb.widgets import TimerPanel

        return TimerPanel
    if name in _LAZY:
        return importlib.import_module(f"hipnb.{name}")
    raise AttributeError(f"module 'hipnb' has no attribute {name!r}")
