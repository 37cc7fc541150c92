"""Colours and small helpers every chart shares."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Okabe-Ito colours; left and right keep theirs on every chart.
SIDE_COLORS = {"left": "#0072B2", "right": "#E69F00", "both": "#009E73"}
BAND_COLOR = "#009E73"
DISCOMFORT_COLOR = "#CC79A7"
TARGET_COLOR = "#555555"


def _athlete(df: pd.DataFrame, athlete: str | None) -> pd.DataFrame:
    return df if athlete is None else df[df["athlete"] == athlete]


def _dates(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", alpha=0.3)


def _empty(ax: Axes, title: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes, color="grey")
    return ax


def _fixed_margins(
    fig: Figure,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    wspace: float = 0.0,
    hspace: float = 0.0,
) -> Figure:
    """Place ``fig``'s grid of Axes with fixed margins, each given in ems of the font size (so
    they grow with ``font.size``): ``left``/``right``/``top``/``bottom`` around the grid,
    ``wspace``/``hspace`` between its columns/rows. Computed once, instead of a layout engine
    measuring every text on every draw; each chart leaves room for the texts it draws."""
    em = float(plt.rcParams["font.size"]) / 72  # inches
    width, height = fig.get_size_inches()
    grid = next((ax.get_subplotspec() for ax in fig.axes if ax.get_subplotspec()), None)
    rows, cols = grid.get_gridspec().get_geometry() if grid is not None else (1, 1)
    x0, x1 = left * em / width, 1 - right * em / width
    y0, y1 = bottom * em / height, 1 - top * em / height
    axes_w = ((x1 - x0) * width - (cols - 1) * wspace * em) / cols
    axes_h = ((y1 - y0) * height - (rows - 1) * hspace * em) / rows
    fig.subplots_adjust(
        left=x0,
        right=x1,
        bottom=y0,
        top=y1,
        wspace=wspace * em / axes_w,
        hspace=hspace * em / axes_h,
    )
    return fig


def _suptitle(fig: Figure, text: str, **kwargs: object) -> None:
    """``fig``'s title, its top half an em below the Figure's top edge whatever the Figure's
    height (matplotlib's default is a share of the height: far into a tall squad grid)."""
    em = float(plt.rcParams["font.size"]) / 72
    fig.suptitle(text, y=1 - 0.5 * em / fig.get_size_inches()[1], va="top", **kwargs)
