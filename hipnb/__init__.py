"""hipnb: timed hip-care routines, crash-safe CSV logs and progress charts, in Jupyter.

    >>> import hipnb
    >>> routine = hipnb.load_routine("hip-basics")
    >>> log = hipnb.SessionLog("data/ana.csv")

The public names are those in ``__all__``, plus the submodules ``hipnb.analysis``, ``hipnb.charts``,
``hipnb.demo``, ``hipnb.log``, ``hipnb.report``, ``hipnb.runs`` and ``hipnb.widgets`` (each with its
own ``__all__``).

``import hipnb`` loads the log (pandas and pyarrow) but neither matplotlib nor ipywidgets: the
widgets and the submodules ``analysis``, ``charts``, ``demo``, ``report`` and ``runs`` are imported on first
use, through the module ``__getattr__`` below; the ``TYPE_CHECKING`` imports let type checkers and
editors see them all the same.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from hipnb.errors import HipnbError, LogError, RoutineError, WriteError
from hipnb.log import Hold, Problem, SessionLog, athlete_path, hold_ids, problems, read_logs
from hipnb.names import did_you_mean
from hipnb.routines import Routine, Step, list_routines, load_routine
from hipnb.timer import Timer

if TYPE_CHECKING:  # `x as x`: re-exported names, as type checkers read them
    from hipnb import analysis as analysis
    from hipnb import charts as charts
    from hipnb import demo as demo
    from hipnb import report as report
    from hipnb import runs as runs
    from hipnb import widgets as widgets
    from hipnb.widgets import HoldEditor as HoldEditor
    from hipnb.widgets import ManualEntry as ManualEntry
    from hipnb.widgets import ProgressView as ProgressView
    from hipnb.widgets import ReviewBox as ReviewBox
    from hipnb.widgets import RosterView as RosterView
    from hipnb.widgets import TimerPanel as TimerPanel

try:
    __version__ = version("hipnb")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "HipnbError",
    "Hold",
    "HoldEditor",
    "LogError",
    "ManualEntry",
    "Problem",
    "ProgressView",
    "ReviewBox",
    "RosterView",
    "Routine",
    "RoutineError",
    "SessionLog",
    "Step",
    "Timer",
    "TimerPanel",
    "WriteError",
    "athlete_path",
    "did_you_mean",
    "hold_ids",
    "list_routines",
    "load_routine",
    "problems",
    "read_logs",
]

#: Submodules imported on first use (``hipnb.charts`` loads matplotlib, ``hipnb.widgets`` ipywidgets).
_LAZY_MODULES = {"analysis", "charts", "demo", "report", "runs", "widgets"}
#: Widgets, by the module that holds them (they load ipywidgets, so only when asked for).
_LAZY_NAMES = {
    "HoldEditor": "hipnb.widgets",
    "ManualEntry": "hipnb.widgets",
    "ProgressView": "hipnb.widgets",
    "TimerPanel": "hipnb.widgets",
    "ReviewBox": "hipnb.widgets",
    "RosterView": "hipnb.widgets",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    if name in _LAZY_MODULES:
        return importlib.import_module(f"hipnb.{name}")
    raise AttributeError(f"module 'hipnb' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_MODULES, *_LAZY_NAMES})
