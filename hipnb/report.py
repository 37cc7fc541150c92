"""Batch reports: one self-contained HTML page per athlete, plus a squad summary.

Each athlete's page is ``notebooks/athlete_report.ipynb`` run with papermill (parameters ``LOG`` and
``ATHLETE``) and converted with nbconvert with the code hidden. One athlete's failure is reported and
the batch goes on. Every name and note is HTML-escaped.

Pages are self-contained and work offline: figures are embedded, and nbconvert's scripts from a CDN
(require.js, MathJax, mermaid) are left out, so a page asks nothing of any other machine and a
``$x$`` in a note stays text.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from hipnb.errors import HipnbError
from hipnb.log import athlete_path, read_logs
from hipnb.names import did_you_mean

if TYPE_CHECKING:  # both load lazily: a report is the only user
    import pandas as pd
    from nbconvert import HTMLExporter

#: notebooks/athlete_report.ipynb, shipped inside the package (a link in the source tree)
DEFAULT_NOTEBOOK = Path(__file__).resolve().parent / "templates" / "athlete_report.ipynb"


@dataclass
class ReportBatch:
    """What a batch produced: pages written, athletes that failed (with why), the squad page."""

    written: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    summary: Path | None = None


def render_reports(
    log: str | Path,
    out: str | Path,
    athletes: list[str] | None = None,
    notebook: str | Path | None = None,
    progress: bool = True,
    timeout: int = 300,
) -> ReportBatch:
    """Render one HTML report per athlete (all in the log by default) and ``squad.html`` into ``out``.

    Example::

        batch = render_reports("data/sample", "reports/")
        batch.failed      # {} when every athlete rendered
    """
    try:
        import nbconvert  # noqa: F401  (the pages' converter, imported where it is used)
        import papermill as pm
    except ImportError as exc:
        raise HipnbError(
            f"reports need {exc.name}, from the report extra: pip install 'hipnb[report]'"
        ) from None
    from tqdm.auto import tqdm

    notebook = Path(notebook or DEFAULT_NOTEBOOK)
    if not notebook.is_file():
        raise HipnbError(f"report notebook {notebook} not found (give it with --notebook)")
    log = Path(log).resolve()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    df = read_logs(log)
    known = sorted(df["athlete"].unique())
    names = athletes or known
    batch = ReportBatch()
    exporter = offline_exporter()
    with tempfile.TemporaryDirectory() as tmp, _kernel_stderr(Path(tmp) / "kernels.log") as term:
        bar = tqdm(names, desc="reports", unit="athlete", disable=not progress, file=term)
        for athlete in bar:
            try:
                target = athlete_path(out, athlete, suffix=".html")
                if athlete not in known:  # a typo: say so without starting a kernel
                    hint = did_you_mean(athlete, known)
                    raise HipnbError(f"no athlete {athlete!r}" + (f"; {hint}" if hint else ""))
                executed = Path(tmp) / f"{target.stem}.ipynb"
                pm.execute_notebook(
                    str(notebook),
                    str(executed),
                    parameters={"LOG": str(log), "ATHLETE": athlete},
                    kernel_name="python3",
                    progress_bar=False,
                    log_output=False,
                    cwd=str(notebook.parent),
                    execution_timeout=timeout,
                )
                body, _ = exporter.from_filename(str(executed))
                target.write_text(body, encoding="utf-8")
                batch.written[athlete] = target
            except Exception as exc:  # one athlete's failure must not stop the batch
                batch.failed[athlete] = _short_reason(exc)
    batch.summary = _squad_page(df, out, batch)
    return batch


#: nbconvert's lab page without the scripts it would fetch from a CDN.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def offline_exporter() -> HTMLExporter:
    """An nbconvert HTML exporter for self-contained pages: code hidden, images embedded, and none
    of the scripts nbconvert loads from a CDN (require.js, MathJax, mermaid)."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="hipnb_offline.html.j2",
        extra_loaders=[jinja2.DictLoader({"hipnb_offline.html.j2": _OFFLINE_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


@contextlib.contextmanager
def _kernel_stderr(path: Path) -> Iterator[TextIO]:
    """Send what kernels write to stderr (transport warnings, "KeyboardInterrupt caught in kernel"
    at shutdown) to ``path`` instead of the terminal; yield a file on the real stderr for the
    progress bar. Kernels inherit file descriptor 2 when they start, so it is swapped meanwhile."""
    try:
        fd = sys.__stderr__.fileno() if sys.__stderr__ else 2
        saved = os.dup(fd)
    except (OSError, ValueError, io.UnsupportedOperation):  # no real stderr: nothing to protect
        yield sys.stderr
        return
    term = os.fdopen(os.dup(saved), "w", encoding="utf-8", errors="replace")
    with open(path, "ab") as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), fd)
        try:
            yield term
        finally:
            term.flush()
            os.dup2(saved, fd)
            os.close(saved)
            term.close()


def _short_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    last = next((line for line in reversed(text) if line.strip()), type(exc).__name__)
    return last[:300]


def _squad_page(df: pd.DataFrame, out: Path, batch: ReportBatch) -> Path:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from hipnb import analysis, charts

    roster = analysis.roster(df)
    links = {a: p.name for a, p in batch.written.items()}
    table = charts.roster_table(roster, sort_by="level", links=links).to_html()
    buf = io.BytesIO()
    if len(df):
        fig = charts.roster_grid(df, roster)
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
    img = base64.b64encode(buf.getvalue()).decode("ascii")
    failures = "".join(
        f"<li><b>{html.escape(a)}</b>: {html.escape(why)}</li>"
        for a, why in sorted(batch.failed.items())
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Squad summary</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:1.5em;max-width:100%;}}
img{{max-width:100%;height:auto;}} td,th{{border-bottom:1px solid #ddd;}}</style></head><body>
<h1>Squad summary</h1>
<p>{len(roster)} athletes, {len(df)} holds logged. Reports: {len(batch.written)} written,
{len(batch.failed)} failed. Click a name for the athlete's report.</p>
<p><i>Coaching guidance, not medical advice. A red flag means: ease off and have it checked by a
qualified professional.</i></p>
{table}
{f'<img alt="per-athlete bound angle" src="data:image/png;base64,{img}">' if img else ""}
{f"<h2>Failed</h2><ul>{failures}</ul>" if failures else ""}
</body></html>
"""
    path = out / "squad.html"
    path.write_text(page, encoding="utf-8")
    return path
