"""Compare blueprint: pick trials, overlaid curves per metric, last/best table, CSV export."""

from __future__ import annotations

import csv
import io

from web_support import html, seed_trial


def _two_trials(db_session) -> tuple[int, int]:
    a = seed_trial(db_session, "small-r", points=[(10, "train", "loss", 2.0), (20, "train", "loss", 1.2),
                                                  (20, "val", "key_fact_accuracy", 0.4)])
    b = seed_trial(db_session, "big-r", points=[(10, "train", "loss", 1.8), (20, "train", "loss", 0.9),
                                                (20, "val", "key_fact_accuracy", 0.6)])
    return a, b


def test_picker_lists_trials_as_checkboxes(signed_in, db_session):
    a, b = _two_trials(db_session)
    page = html(signed_in.get("/compare/"))
    assert {box["value"] for box in page.find_all("input", attrs={"name": "ids"})} == {str(a), str(b)}
    assert page.find("figure") is None


def test_overlaid_curves_and_metric_table(signed_in, db_session):
    a, b = _two_trials(db_session)
    page = html(signed_in.get(f"/compare/?ids={a}&ids={b}"))
    charts = {fig.figcaption.get_text(): fig for fig in page.find_all("figure", class_="chart")}
    assert set(charts) == {"loss", "key_fact_accuracy"}
    loss_lines = charts["loss"].find_all("polyline")
    assert len(loss_lines) == 2 and loss_lines[0]["stroke"] != loss_lines[1]["stroke"]
    legend = charts["loss"].find("ul", class_="legend").get_text()
    assert f"#{a} small-r (train)" in legend and f"#{b} big-r (train)" in legend
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in page.find("table", attrs={"data-compare-table": True}).tbody.find_all("tr")]
    assert [f"#{b} big-r", "loss", "train", "20", "0.9", "20", "0.9"] in rows
    assert [f"#{a} small-r", "key_fact_accuracy", "val", "20", "0.4", "20", "0.4"] in rows
    assert {box["value"] for box in page.find_all("input", attrs={"name": "ids", "checked": True})} == {str(a), str(b)}


def test_metric_selection_limits_the_charts(signed_in, db_session):
    a, b = _two_trials(db_session)
    page = html(signed_in.get(f"/compare/?ids={a}&ids={b}&metric=key_fact_accuracy&metric=unknown"))
    assert [fig.figcaption.get_text() for fig in page.find_all("figure", class_="chart")] == ["key_fact_accuracy"]


def test_bad_ids_are_ignored(signed_in, db_session):
    a, _ = _two_trials(db_session)
    response = signed_in.get(f"/compare/?ids={a}&ids=abc&ids=9999")
    assert response.status_code == 200
    assert len(html(response).find_all("figure", class_="chart")) == 2


def test_compare_csv_neutralises_formula_cells(signed_in, db_session):
    evil = seed_trial(db_session, "-2+3", points=[(1, "train", "=1+1", 0.5)])
    rows = list(csv.reader(io.StringIO(signed_in.get(f"/compare/metrics.csv?ids={evil}").get_data(as_text=True))))
    assert rows[1][1:4] == ["'-2+3", "train", "'=1+1"]
