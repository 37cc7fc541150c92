"""Reports for a coach: one self-contained HTML page per athlete and a squad page, written in one batch.

``render_reports(log, out)`` writes ``out/index.html`` (the squad page: roster, flags, every name
linked) and ``out/athletes/<name>.html`` (each athlete's page), rendered in-process over worker
processes; one athlete's failure never stops the batch. Pages work offline: figures are embedded
PNGs, one stylesheet, no script, nothing fetched from any other machine; every name and note is
HTML-escaped.

An athlete's page is :func:`athlete_sections` as HTML; ``notebooks/athlete_report.ipynb`` displays
the same sections, so a page opens as a notebook with its parameters (``LOG``, ``ATHLETE``,
``AS_OF``) filled in.
"""

from hipnb.report.athlete import athlete_sections
from hipnb.report.batch import (
    ATHLETES,
    SQUAD_PAGE,
    ReportBatch,
    page_path,
    read_squad,
    render_reports,
    review_day,
)
from hipnb.report.page import Section, document
from hipnb.report.squad import squad_sections

__all__ = [
    "ATHLETES",
    "ReportBatch",
    "SQUAD_PAGE",
    "Section",
    "athlete_sections",
    "document",
    "page_path",
    "read_squad",
    "render_reports",
    "review_day",
    "squad_sections",
]
