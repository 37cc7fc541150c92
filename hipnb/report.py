"""Batch reports: one self-contained HTML page per athlete, plus a squad summary.

Each athlete's page is ``notebooks/athlete_report.ipynb`` run with papermill (parameters ``LOG`` and
``ATHLETE``) and converted with nbconvert with the code hidden. One athlete's failure is reported and
the batch goes on. Every name and note is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hipnb.errors import HipnbError
from hipnb.log import athlete_path, read_logs

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
    import papermill as pm
    from nbconvert import HTMLExporter
    from tqdm.auto import tqdm

    notebook = Path(notebook or DEFAULT_NOTEBOOK)
    if not notebook.is_file():
        raise HipnbError(f"report notebook {notebook} not found (give it with --notebook)")
    log = Path(log).resolve()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    df = read_logs(log)
    names = athletes or sorted(df["athlete"].unique())
    batch = ReportBatch()
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    with tempfile.TemporaryDirectory() as tmp:
        for athlete in tqdm(names, desc="reports", unit="athlete", disable=not progress):
            try:
                target = athlete_path(out, athlete, suffix=".html")
                executed = Path(tmp) / f"{athlete}.ipynb"
                pm.execute_notebook(
                    str(notebook),
                    str(executed),
                    parameters={"LOG": str(log), "ATHLETE": athlete},
                    kernel_name="python3",
                    progress_bar=False,
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


def _short_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    last = next((line for line in reversed(text) if line.strip()), type(exc).__name__)
    return last[:300]


def _squad_page(df, out: Path, batch: ReportBatch) -> Path:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from hipnb import analysis, charts

    roster = analysis.roster(df)
    table = charts.roster_table(roster, sort_by="athlete").to_html()
    buf = io.BytesIO()
    if len(df):
        fig = charts.roster_grid(df, roster)
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
    img = base64.b64encode(buf.getvalue()).decode("ascii")
    links = "".join(
        f'<li><a href="{html.escape(p.name)}">{html.escape(a)}</a></li>'
        for a, p in sorted(batch.written.items())
    )
    failures = "".join(
        f"<li><b>{html.escape(a)}</b>: {html.escape(why)}</li>"
        for a, why in sorted(batch.failed.items())
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Squad summary</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;}} table{{border-collapse:collapse;}}
td,th{{padding:4px 8px;border-bottom:1px solid #ddd;}}</style></head><body>
<h1>Squad summary</h1>
<p>{len(roster)} athletes, {len(df)} holds logged. Reports: {len(batch.written)} written,
{len(batch.failed)} failed.</p>
{table}
{f'<img alt="per-athlete bound angle" src="data:image/png;base64,{img}">' if img else ""}
<h2>Athlete reports</h2><ul>{links}</ul>
{f"<h2>Failed</h2><ul>{failures}</ul>" if failures else ""}
</body></html>
"""
    path = out / "squad.html"
    path.write_text(page, encoding="utf-8")
    return path
