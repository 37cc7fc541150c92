"""The batch: every athlete's page rendered in-process, over worker processes on the machine's cores.

Layout of ``out``: the squad page ``index.html`` beside the folder ``athletes/``, where each page is
named by the one gate from names to files (:func:`hipnb.athlete_path`), so no athlete's page can
overwrite the squad page or another athlete's, whatever the names ("index", "squad", "李娜").

The logs are read once; each worker gets one athlete's rows and writes that athlete's page. One
athlete's failure, or a worker process dying, never stops the batch: it is recorded in
:attr:`ReportBatch.failed` and named on the squad page.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hipnb.analysis.thresholds import Thresholds
from hipnb.errors import HipnbError
from hipnb.log import athlete_path, read_logs
from hipnb.names import unknown_athlete
from hipnb.report.athlete import athlete_sections
from hipnb.report.page import Section, document, missing
from hipnb.report.squad import grid_section, squad_sections

if TYPE_CHECKING:
    import pandas as pd

    from hipnb.analysis import Day, Flag, ReviewDay

#: The squad page, at the top of ``out``; athlete pages live in :data:`ATHLETES`.
SQUAD_PAGE = "index.html"
ATHLETES = "athletes"
#: notebooks/athlete_report.ipynb, shipped inside the package (a link in the source tree)
NOTEBOOK = Path(__file__).resolve().parent.parent / "templates" / "athlete_report.ipynb"


@dataclass
class ReportBatch:
    """What a batch produced: pages written, athletes that failed (with why), the squad page."""

    written: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    summary: Path | None = None


@dataclass(frozen=True)
class _Task:
    athlete: str
    holds: pd.DataFrame
    runs: pd.DataFrame
    day: pd.Timestamp
    path: Path
    footer: str
    flags: tuple[Flag, ...] | None = None
    thresholds: Thresholds = Thresholds()  # noqa: RUF009  (frozen: one shared default is safe)


def read_squad(log: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The holds of ``log`` (a file or a folder of logs) and the runs beside them
    (``<folder>/runs/``), every athlete's."""
    from hipnb.runs import read_runs

    log = Path(log)
    if not log.exists():
        raise HipnbError(f"{log}: no such log file or folder")
    holds = read_logs(log)
    runs = read_runs(log if log.is_dir() else log.parent)
    return holds, runs


def review_day(
    log: str | Path,
    *,
    as_of: Day | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> ReviewDay:
    """The review day of the logs at ``log`` (:func:`read_squad`) on ``as_of`` (None: today), with
    the flags acknowledged beside them (:func:`hipnb.review.acknowledged`)."""
    from hipnb.analysis import ReviewDay
    from hipnb.review import acknowledged

    holds, runs = read_squad(log)
    return ReviewDay.on(
        holds, runs, as_of=as_of, thresholds=thresholds, acknowledged=acknowledged(log)
    )


def page_path(out: str | Path, athlete: str) -> Path:
    """Where ``athlete``'s page goes in a batch written to ``out``."""
    return athlete_path(Path(out) / ATHLETES, athlete, suffix=".html")


def render_reports(
    log: str | Path,
    out: str | Path,
    athletes: list[str] | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
    progress: bool = True,
    workers: int | None = None,
    notebooks: bool = False,
    thresholds: Thresholds = Thresholds(),  # noqa: B008  (frozen: one shared default is safe)
) -> ReportBatch:
    """Write one page per athlete (everyone with holds or runs in ``log`` by default) into
    ``out/athletes/`` and the squad page ``out/index.html``, all on ``as_of`` (default: today).

    ``workers`` processes render the pages (default: one per core; 1 renders in this process).
    ``thresholds`` judge every flag and target on every page (one :class:`Thresholds`); a flag
    acknowledged beside the logs (:func:`hipnb.review.acknowledge`) is left out while no newer data
    raises it. ``notebooks`` also writes each page as a notebook beside it (``athletes/<name>.ipynb``, the
    report notebook with the athlete's parameters filled in) to open in Jupyter.

    Example::

        batch = render_reports("data/sample", "reports/", as_of="2026-11-22")
        batch.failed      # {} when every athlete rendered
    """
    try:
        import jinja2  # noqa: F401  (pandas writes the pages' tables with it)
    except ImportError as exc:
        raise HipnbError(
            f"reports need {exc.name}, from the report extra: pip install 'hipnb[report]'"
        ) from None
    from tqdm.auto import tqdm

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise HipnbError(f"--out {out} is a file: give a folder for the pages")
    from hipnb.analysis import ReviewDay
    from hipnb.review import acknowledged

    log = Path(log).resolve()
    holds, runs = read_squad(log)
    review = ReviewDay.on(
        holds, runs, as_of=as_of, thresholds=thresholds, acknowledged=acknowledged(log)
    )
    day = review.day
    _out_folder(out)
    known = sorted(set(holds["athlete"]) | set(runs["athlete"]))
    roster = review.roster  # every flag, raised once for the squad
    raised = dict(zip(roster["athlete"], roster["flags"], strict=True))
    batch = ReportBatch()
    tasks: list[_Task] = []
    for athlete in athletes or known:
        try:
            if athlete not in known:
                raise HipnbError(unknown_athlete(athlete, known))
            path = page_path(out, athlete)
            seen = from_page(log, path)
            footer = _footer(seen, athlete, day)
            if notebooks:
                _write_notebook(path.with_suffix(".ipynb"), seen, athlete, day)
            tasks.append(
                _Task(
                    athlete,
                    holds[holds["athlete"] == athlete],
                    runs[runs["athlete"] == athlete],
                    day,
                    path,
                    footer,
                    raised.get(athlete),
                    thresholds,
                )
            )
        except Exception as exc:
            batch.failed[athlete] = _short_reason(exc)
    bar = tqdm(total=len(tasks), desc="reports", unit="athlete", disable=not progress)
    try:
        n = _workers(workers, len(tasks))
        if n <= 1:
            results = _run(tasks, _render_one, n, bar.update)
            squad = _squad(holds, day, roster)
        else:  # a thread feeds the workers while this one draws the squad's figure
            with ThreadPoolExecutor(1) as feeder:
                running = feeder.submit(_run, tasks, _render_one, n, bar.update)
                squad = _squad(holds, day, roster)
                results = running.result()
        for task in tasks:
            why = results.get(task.athlete)
            if why is None:
                batch.written[task.athlete] = task.path
            else:
                batch.failed[task.athlete] = why
    finally:
        bar.close()
    batch.summary = _write_squad(out, holds, runs, day, batch, roster, squad)
    return batch


def _out_folder(out: Path) -> None:
    try:
        (out / ATHLETES).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise HipnbError(f"{out / ATHLETES} is a file: the pages need it as a folder") from None
    except OSError as exc:
        raise HipnbError(f"cannot make the folder {out / ATHLETES}: {exc.strerror}") from None
    if (out / SQUAD_PAGE).is_dir():
        raise HipnbError(f"{out / SQUAD_PAGE} is a folder: the squad page needs that name")
    if not os.access(out / ATHLETES, os.W_OK):
        raise HipnbError(f"cannot write into {out / ATHLETES}: permission denied")


def _workers(asked: int | None, tasks: int) -> int:
    if asked is not None:
        return max(1, asked)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, tasks // 4))  # starting a worker costs about 4 pages


def _run(
    tasks: list[_Task], fn: Callable[[_Task], str | None], workers: int, done: Callable[[], Any]
) -> dict[str, str | None]:
    """``fn`` over ``tasks`` (None, or why an athlete failed) on ``workers`` processes, calling
    ``done`` as each task ends.

    At most two tasks a worker are in flight, so a worker process that dies takes only those with
    it: each is then tried alone in a process of its own, and the one that dies again is failed.
    """
    results: dict[str, str | None] = {}
    if workers <= 1:
        for task in tasks:
            results[task.athlete] = _guarded(fn, task)
            done()
        return results
    queue, suspects = list(reversed(tasks)), []
    while queue:
        suspects = _pool(queue, fn, workers, results, done)
        for task in suspects:  # alone, so a death names its athlete
            if _pool([task], fn, 1, results, done):
                results[task.athlete] = "the process rendering this page died"
                done()
    return results


def _pool(
    queue: list[_Task],
    fn: Callable[[_Task], str | None],
    workers: int,
    results: dict[str, str | None],
    done: Callable[[], Any],
) -> list[_Task]:
    """Run tasks popped from ``queue`` in a pool of ``workers``; return those in flight when a
    worker died (the queue keeps the ones not started)."""
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet) as pool:
        running: dict[Future[str | None], _Task] = {}
        while queue or running:
            while queue and len(running) < 2 * workers:
                task = queue.pop()
                running[pool.submit(_guarded, fn, task)] = task
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                try:
                    results[task.athlete] = future.result()
                except BrokenProcessPool:
                    return [task, *running.values()]
                done()
    return []


def _quiet() -> None:
    """Worker start: matplotlib draws without a screen."""
    import matplotlib

    matplotlib.use("Agg")


def _guarded(fn: Callable[[_Task], str | None], task: _Task) -> str | None:
    try:
        return fn(task)
    except Exception as exc:  # one athlete's failure must not stop the batch
        return _short_reason(exc)


def _render_one(task: _Task) -> None:
    sections = athlete_sections(
        task.holds, task.runs, task.athlete, task.day, flags=task.flags,
        thresholds=task.thresholds,
    )  # fmt: skip
    nav = f'<a href="../{SQUAD_PAGE}">&larr; Squad summary</a>'
    page = document(f"{task.athlete}: hip routine report", sections, nav=nav, footer=task.footer)
    _write(task.path, page)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a reader never sees half a page)."""
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def from_page(log: Path, page: Path) -> str:
    """The log as a page at ``page`` names it: relative to the page's folder, so the page (and the
    notebook written beside it) works where it lies and never carries this machine's folders.

        >>> from_page(Path("/srv/team/data/sample"), Path("/srv/team/reports/athletes/ana.html"))
        '../../data/sample'
    """
    return Path(os.path.relpath(log.resolve(), page.parent.resolve())).as_posix()


def _footer(log: str, athlete: str, day: pd.Timestamp) -> str:
    import html

    from hipnb import __version__

    params = f"LOG = {log!r}, ATHLETE = {athlete!r}, AS_OF = '{day:%Y-%m-%d}'"
    return (
        f"hipnb {html.escape(__version__)}, as of {day:%a %d %b %Y}. This page is the notebook "
        f"<code>notebooks/athlete_report.ipynb</code> run with <code>{html.escape(params)}</code> "
        "(LOG from this page's folder): open it in Jupyter with those values to explore further (<code>hipnb report "
        "--notebooks</code> writes it beside this page, filled in)."
    )


def _write_notebook(path: Path, log: str, athlete: str, day: pd.Timestamp) -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    cell["source"] = [
        f"LOG = {log!r}  # log file or folder, from this notebook's folder\n",
        f"ATHLETE = {athlete!r}\n",
        f"AS_OF = '{day:%Y-%m-%d}'  # the report's day; '' for today",
    ]
    _write(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def _squad(holds: pd.DataFrame, day: pd.Timestamp, roster: pd.DataFrame) -> Section | None:
    """The squad's small multiples, drawn (the slow part of the squad page); if they cannot be,
    a section that says why, so the squad page is written all the same."""
    try:
        grid = grid_section(holds, day, roster)
        if grid is not None:
            grid.to_html()
    except Exception as exc:
        return missing("Reclining Bound Angle Pose per athlete", f"not drawn: {_short_reason(exc)}")
    return grid


def _write_squad(
    out: Path,
    holds: pd.DataFrame,
    runs: pd.DataFrame,
    day: pd.Timestamp,
    batch: ReportBatch,
    roster: pd.DataFrame,
    grid: Section | None,
) -> Path:
    links = {a: f"{ATHLETES}/{quote(p.name)}" for a, p in batch.written.items()}
    sections = squad_sections(holds, runs, day, links, batch.failed, roster=roster, grid=grid)
    path = out / SQUAD_PAGE
    try:
        _write(path, document("Squad summary", sections))
    except OSError as exc:
        raise HipnbError(f"cannot write the squad page {path}: {exc.strerror or exc}") from None
    return path


def _short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    last = next((line for line in reversed(text) if line.strip()), type(exc).__name__)
    return last[:300]
