"""Running load beside hip care: import runs from Strava, Garmin, FIT, GPX, TCX or a plain CSV.

* :func:`import_runs` reads an export (a file, a folder, a Strava ``.zip``) and appends the runs
  (not rides, walks, yoga...) to the athlete's run log, ``<logs>/runs/<athlete>/runs.csv``;
  re-importing adds nothing and the same run from two sources is kept once. Bad files and rows
  are reported by file and line.
* :class:`RunLog` is that open CSV, a table of the hold log's engine (its columns are
  :data:`hipnb.log.spec.RUNS`): checked, appended with the same durable write and read by the same
  reader, cut-off lines and all.
* :func:`read_runs` reads one athlete's runs or a squad's, for :mod:`hipnb.analysis`.

One module a job: ``sources`` (which files: a folder, a Strava zip or folder), ``formats`` (one
file read as its own fault domain, capped), ``files`` (FIT, GPX, TCX) and ``exports`` (CSV),
``athletes`` (the name gate), ``store`` (the run log's face), ``importer``.
"""

from hipnb.runs.importer import RunImport, Skipped, import_runs
from hipnb.runs.store import RUN_COLUMNS, RunLog, read_runs, runs_path

__all__ = ["RUN_COLUMNS", "RunImport", "RunLog", "Skipped", "import_runs", "read_runs", "runs_path"]
