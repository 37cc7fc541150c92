"""Charts are tested for what they draw: lines, patches, labels, colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from hipnb import charts, read_logs  # noqa: E402
from hipnb.log import empty_log  # noqa: E402

from .conftest import SAMPLE  # noqa: E402


@pytest.fixture(scope="module")
def squad():
    return read_logs(SAMPLE)


def test_bound_angle_chart_shades_the_band_and_plots_minutes(squad):
    ax = charts.bound_angle_chart(squad, "ana")
    band = [p for p in ax.patches if p.get_label() == "3-5 min band"]
    assert len(band) == 1
    assert (band[0].get_y(), band[0].get_y() + band[0].get_height()) == (3, 5), "3-5 min"
    (held,) = [line for line in ax.get_lines() if line.get_label() == "held"]
    days = squad[(squad.athlete == "ana") & (squad.exercise == "bound_angle")]
    assert len(held.get_xdata()) == days["local_time"].dt.normalize().nunique()
    assert np.nanmax(held.get_ydata()) < 6, "plotted in minutes, not seconds"
    assert ax.get_ylabel() == "time held (min)" and "Bound Angle" in ax.get_title()


def test_plank_chart_uses_fixed_side_colours_and_a_target_line(squad):
    fig, ax = plt.subplots()
    assert charts.plank_chart(squad, "dev", ax=ax) is ax
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["left"].get_color() == charts.SIDE_COLORS["left"]
    assert lines["right"].get_color() == charts.SIDE_COLORS["right"]
    assert lines["target 30 s"].get_ydata()[0] == 30
    assert np.nanmean(lines["right"].get_ydata()) < np.nanmean(lines["left"].get_ydata())
    assert ax.get_ylabel() == "hold (s)"


def test_adherence_calendar_is_weeks_by_weekdays(squad):
    ax = charts.adherence_calendar(squad, "chloe")
    (image,) = ax.get_images()
    grid = image.get_array()
    assert grid.shape[0] == 7
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Mon", "Tue"]
    assert set(np.unique(grid[~np.isnan(grid)])) <= {0.0, 1.0, 2.0}
    assert (grid == 0).any(), "the skipper has days with no log"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["target met", "logged, under target", "no log"]


def test_discomfort_chart_has_points_and_rolling_mean(squad):
    ax = charts.discomfort_chart(squad, "emma")
    (mean,) = ax.get_lines()
    assert mean.get_color() == charts.DISCOMFORT_COLOR
    assert ax.get_ylim() == (-0.6, 10.6), "the 0-10 scale, with room for whole markers"
    y = mean.get_ydata()
    assert y[-1] > y[0] + 1, "emma's discomfort rises"


def test_dashboard_has_four_titled_panels(squad):
    fig = charts.athlete_dashboard(squad, "ana")
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4 and all(titles)
    assert fig.get_suptitle().startswith("ana: hip routine progress")


def test_charts_on_an_empty_log_say_so():
    fig = charts.athlete_dashboard(empty_log(), "nobody")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("no data yet") == 4


@pytest.mark.parametrize("exercise", ["glute_roll", "bound_angle", "side_plank"])
def test_exercise_diagrams_draw_a_figure_with_cues(exercise):
    ax = charts.exercise_diagram(exercise)
    assert len(ax.get_lines()) >= 3 and ax.patches, "limbs and a head"
    notes = " ".join(t.get_text() for t in ax.texts)
    expected = {"glute_roll": "tender", "bound_angle": "never push", "side_plank": "hips stacked"}
    assert expected[exercise] in notes
    assert ax.get_title()


def test_exercise_diagram_rejects_unknown_exercises():
    with pytest.raises(ValueError, match="no diagram"):
        charts.exercise_diagram("handstand")


def test_routine_timeline_has_a_bar_per_step():
    from hipnb import load_routine

    routine = load_routine("hip-basics")
    ax = charts.routine_timeline(routine)
    assert len(ax.patches) == len(routine.steps)
    assert ax.get_xlabel() == "minutes from start"
    assert ax.get_xlim()[1] == pytest.approx(routine.total_seconds / 60)


def _distance_to_segment(p, a, b):
    p, a, b = (np.asarray(v, dtype=float) for v in (p, a, b))
    ab = b - a
    t = 0.0 if not ab.any() else float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0, 1))
    return float(np.linalg.norm(p - (a + t * ab)))


@pytest.mark.parametrize("exercise", ["glute_roll", "bound_angle", "side_plank"])
def test_stick_figure_heads_touch_their_bodies(exercise):
    from matplotlib.colors import same_color

    ax = charts.exercise_diagram(exercise)
    heads = [p for p in ax.patches if any(same_color(p.get_facecolor(), c) for c in
                                          charts.SIDE_COLORS.values())]  # fmt: skip
    assert len(heads) == 1, "one head per figure"
    head = heads[0]
    body = [line for line in ax.get_lines() if same_color(line.get_color(), head.get_facecolor())]
    gaps = [
        _distance_to_segment(head.center, a, b)
        for line in body
        for a, b in zip(line.get_xydata()[:-1], line.get_xydata()[1:], strict=True)
    ]
    assert min(gaps) < head.radius, f"the head floats {min(gaps) - head.radius:.2f} above the body"


def test_discomfort_points_at_0_are_not_clipped(squad):
    ax = charts.discomfort_chart(squad, "ana")
    low, high = ax.get_ylim()
    assert low < 0 and high > 10, "a 0 or a 10 marker is drawn whole"
    assert [t for t in ax.get_yticks() if 0 <= t <= 10] == [0, 2, 4, 6, 8, 10]


def test_asymmetry_chart_uses_the_one_definition(squad):
    from hipnb import analysis

    ax = charts.asymmetry_chart(squad, "dev")
    (line,) = ax.get_lines()
    last = line.get_ydata()[-1]
    dev = squad[squad["athlete"] == "dev"]
    on = line.get_xdata()[-1]  # the last day planks were logged
    assert last == pytest.approx(analysis.plank_asymmetry(dev, as_of=on)["asymmetry"].iloc[0] * 100)
    assert round(last) == 31 and "14-day" in ax.get_title()


def inside_and_apart(fig):
    """Everything ``fig`` draws lies inside it, and its title clears every panel (titles too)."""
    fig.set_dpi(90)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    drawn = fig.get_tightbbox(renderer)  # inches, what is drawn: texts, legends, ticks
    width, height = fig.get_size_inches()
    slack = 1 / 90  # a pixel
    assert drawn.x0 >= -slack and drawn.y0 >= -slack, f"cut at the left or bottom: {drawn}"
    assert drawn.x1 <= width + slack and drawn.y1 <= height + slack, f"cut: {drawn}"
    if fig.get_suptitle():
        title = fig._suptitle.get_window_extent(renderer)
        for ax in fig.axes:
            if ax.get_visible():
                assert not title.overlaps(ax.get_tightbbox(renderer)), ax.get_title()
    assert fig.get_layout_engine() is None, "fixed margins: no layout engine re-measuring text"


def test_dashboard_keeps_its_texts_inside_with_fixed_margins(squad):
    fig = charts.athlete_dashboard(squad, "ana")
    inside_and_apart(fig)
    plt.close(fig)


def test_roster_grid_keeps_its_texts_inside_at_any_height(squad):
    many = pd.concat([squad.assign(athlete=squad["athlete"] + str(i)) for i in range(6)])
    for holds in (squad, many):
        fig = charts.roster_grid(holds)
        inside_and_apart(fig)
        plt.close(fig)


def test_roster_grid_marks_an_athlete_with_a_single_day(squad):
    ana = squad[squad["athlete"] == "ana"]
    first = ana[ana["local_time"].dt.normalize() == ana["local_time"].dt.normalize().min()]
    holds = pd.concat([squad[squad["athlete"] != "ana"], first.assign(athlete="zoë")])
    fig = charts.roster_grid(holds)
    (panel,) = [ax for ax in fig.axes if ax.get_title() == "zoë"]
    (line,) = panel.get_lines()
    assert len(line.get_xdata()) == 1, "one day: one point"
    assert line.get_marker() not in ("None", "", " ", None) and line.get_markersize() > 0
    plt.close(fig)
