"""Pages as sections: a heading, escaped HTML and at most one figure each, and the one page around them.

The same :class:`Section` objects make the batch's HTML pages and the cells of
``notebooks/athlete_report.ipynb`` (a section displays itself in Jupyter), so a page and its notebook
show the same thing. Figures become palette PNGs at the size the page shows them, embedded as
``data:`` URIs; every page carries the one stylesheet ``hipnb/templates/report.css`` once and
no script, so it works offline and asks nothing of any other machine.
"""

from __future__ import annotations

import base64
import functools
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Pixels per inch of the figures: the 13-inch dashboard is 1170 px, the page's column at 1280 px.
DPI = 90
#: Colours in a figure's PNG palette: charts are a few flat colours and their anti-aliased edges,
#: so the commonest 128 keep a figure smooth at a third of the bytes of a true-colour PNG.
PALETTE = 128

_CSS = Path(__file__).resolve().parent.parent / "templates" / "report.css"


@functools.cache
def stylesheet() -> str:
    """The one stylesheet of the report pages: ``hipnb/templates/report.css`` and the flag levels'
    colours, as the charts and the roster table use them (:data:`hipnb.charts.LEVEL_COLORS`)."""
    from hipnb import charts

    background = {"red": charts.RED, "amber": charts.AMBER}
    levels = "".join(
        f"ul.flags li.{level} {{ border-color: {color}; background: {background[level]}; }}\n"
        for level, color in charts.LEVEL_COLORS.items()
    )
    return _CSS.read_text(encoding="utf-8") + levels


def png_data_uri(fig: Figure, dpi: int = DPI, colors: int = PALETTE) -> tuple[str, int, int]:
    """``fig`` drawn once with Agg at ``dpi`` and saved as a palette PNG of its ``colors``
    commonest colours, each kept exactly (a flag's red and amber stay apart), every other pixel
    taking the nearest of them: (``data:`` URI, width, height in pixels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib leaves it unannotated
    width, height = canvas.get_width_height()
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    rgb = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1).convert("RGB")
    counts = cast("list[tuple[int, tuple[int, int, int]]]", rgb.getcolors(width * height) or [])
    common = np.array([color for _, color in sorted(counts, reverse=True)[:colors]], np.uint32)
    palette = Image.new("P", (1, 1))
    palette.putpalette(common.astype(np.uint8).ravel().tolist())
    # Pillow maps to the nearest entry on a coarse grid (white can become a near-white grey):
    # pixels of a palette colour get that entry exactly, the others keep Pillow's nearest.
    index = np.array(rgb.quantize(palette=palette, dither=Image.Dither.NONE))
    weights = np.array([1 << 16, 1 << 8, 1], np.uint32)
    code, known = np.asarray(rgb, np.uint32) @ weights, common @ weights
    order = np.argsort(known)
    at = np.minimum(np.searchsorted(known[order], code), len(known) - 1)
    exact = known[order][at] == code
    index[exact] = order[at[exact]]
    image = Image.fromarray(index.astype(np.uint8), "P")
    image.putpalette(common.astype(np.uint8).ravel().tolist())
    buf = io.BytesIO()
    # a squad's grid (millions of pixels, one a page) is worth 0.2 s for a tenth fewer bytes
    image.save(buf, format="png", optimize=width * height > 2_000_000)
    return (
        "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"),
        width,
        height,
    )


@dataclass
class Section:
    """One part of a page: a heading (``level`` 1 for the page's title, else 2), ``body`` HTML
    (already escaped), an optional matplotlib ``figure`` (with ``alt`` text, drawn with a palette of
    ``colors``) and ``after`` HTML below it. ``missing`` is set when the section says what the data lacks instead of showing it.

    In a notebook a section displays as it does on the page; ``section.figure`` is the Figure.
    """

    title: str
    body: str = ""
    figure: Figure | None = None
    alt: str = ""
    after: str = ""
    level: int = 2
    missing: bool = False
    colors: int = PALETTE
    _img: str = field(default="", repr=False, compare=False)

    def to_html(self) -> str:
        """The section as HTML; the figure is drawn the first time only."""
        if self.figure is not None and not self._img:
            uri, width, height = png_data_uri(self.figure, colors=self.colors)
            alt = html.escape(self.alt or self.title, quote=True)
            self._img = (
                f'<figure><img src="{uri}" width="{width}" height="{height}" alt="{alt}"></figure>'
            )
        tag = f"h{self.level}"
        return f"<section><{tag}>{html.escape(self.title)}</{tag}>{self.body}{self._img}{self.after}</section>"

    def _repr_html_(self) -> str:
        return self.to_html()


def missing(title: str, words: str) -> Section:
    """A section that says, in ``words``, what is missing for it."""
    return Section(title, f'<p class="missing">{html.escape(words)}</p>', missing=True)


def paragraph(text: str, cls: str = "") -> str:
    """``text`` escaped in a ``<p>`` (with a class when given)."""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{html.escape(text)}</p>"


def document(title: str, sections: list[Section], *, nav: str = "", footer: str = "") -> str:
    """A whole page: ``sections`` between an optional ``nav`` and ``footer`` (HTML), with the one
    stylesheet and no script."""
    body = "\n".join(s.to_html() for s in sections)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{stylesheet()}</style></head><body>\n"
        + (f"<nav>{nav}</nav>\n" if nav else "")
        + body
        + (f"\n<footer>{footer}</footer>" if footer else "")
        + "\n</body></html>\n"
    )
