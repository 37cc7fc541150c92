"""Colours and small helpers every chart shares."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes

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
