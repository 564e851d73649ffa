"""Chart geometry (pure functions): ticks, scaling, grouping of a trial's metrics."""

from __future__ import annotations

from webadmin.charts import Series, evaluation_table, format_number, line_chart, nice_ticks, trial_charts


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(0, 100, 6) == [0, 20, 40, 60, 80, 100]
    ticks = nice_ticks(0.23, 0.91, 5)
    assert ticks[0] <= 0.23 and ticks[-1] >= 0.91
    assert all(round(t / 0.25, 9).is_integer() or round(t / 0.2, 9).is_integer() for t in ticks)
    flat = nice_ticks(1.5, 1.5)
    assert flat[0] < 1.5 < flat[-1]


def test_points_map_into_the_plot_box_with_y_up():
    chart = line_chart("t", [Series("a", [(0, 0.0), (10, 1.0)])], width=200, height=100)
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in chart.series[0].points.split()]
    assert chart.left <= x0 < x1 <= chart.width - chart.right
    assert chart.top <= y1 < y0 <= chart.height - chart.bottom  # larger value is higher on screen


def test_single_point_series_gets_a_marker_and_empty_series_are_skipped():
    chart = line_chart("t", [Series("lonely", [(5, 2.0)]), Series("none", [])])
    assert [s.label for s in chart.series] == ["lonely"]
    assert len(chart.series[0].markers) == 1
    assert line_chart("t", []).empty


def test_trial_charts_group_losses_quality_and_diagnostics():
    curves = {("train", "loss"): [(1, 2.0)], ("val", "eval_loss"): [(1, 2.1)], ("val", "token_f1"): [(1, 0.3)],
              ("train", "learning_rate"): [(1, 1e-4)], ("train", "grad_norm"): [(1, 0.7)]}
    titles = [c.title for c in trial_charts(curves)]
    assert titles == ["Loss (train and validation)", "Answer quality per evaluation", "Grad norm", "Learning rate"]
    val = next(s for s in trial_charts(curves)[0].series if s.label == "eval_loss (val)")
    assert val.dash  # validation dashed, train solid


def test_evaluation_table_aligns_steps_and_marks_missing_metrics():
    curves = {
        ("val", "token_f1"): [(10, 0.3), (20, 0.4)],
        ("val", "key_fact_accuracy"): [(20, 0.5)],
        ("val", "retrieval_recall"): [(20, 0.75)],
        ("val", "eval_loss"): [(10, 2.25), (20, 1.5)],
        ("train", "loss"): [(5, 3.0)],  # training steps are not evaluations
        ("test_unseen", "token_f1"): [(30, 0.2)],  # nor are test-split scores
    }
    columns, rows = evaluation_table(curves)
    assert columns == ["eval_loss", "key_fact_accuracy", "retrieval_recall", "token_f1"]
    assert rows == [(10, ["2.25", "\u2014", "\u2014", "0.3"]), (20, ["1.5", "0.5", "0.75", "0.4"])]


def test_format_number():
    assert format_number(0.000123) == "1.23e-04"
    assert format_number(1234.5678) == "1235"
    assert format_number(0) == "0"
