"""Chart labels a person can read (review finding: the 全区概览 chart's axis labels were cut to "…").
QtCharts elides a category label wider than 1/(n+1) of the plot and a value label taller than
1/ticks of its height; ``ui/charts.py`` fits them itself — value ticks for the height there is,
a category label too wide for its category on two lines, then upright — so at every size the page
may give the chart, no label is elided, none overlaps another and all lie inside the chart."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from desktop_app.app import make_application
from desktop_app.ui.charts import LABEL_GAP, BarChart, MonthlyChart, nice_step, two_lines

TIERS = ["无经营收益", "<5万", "5–10万", "10–20万", "20–50万", "50–100万", "≥100万"]
TEXT_ITEM = 8  # QGraphicsTextItem.Type: every label, title and bar count QtCharts draws


def _laid_out(chart: BarChart | MonthlyChart) -> bool:
    """The chart's layout has run since its labels last changed (QtCharts posts it)."""
    layout = chart.qchart.layout()
    return (chart.qchart.plotArea().height() > 0 and chart.x_axis.count() == len(chart.categories)
            and layout is not None and layout.isActivated())


def _settled(qtbot: Any, chart: BarChart | MonthlyChart) -> None:
    chart.show()
    qtbot.waitExposed(chart)
    qtbot.waitUntil(lambda: _laid_out(chart))
    chart.grab()


def _texts(chart: BarChart | MonthlyChart) -> list[QRectF]:
    return [i.sceneBoundingRect() for i in chart.scene().items() if i.type() == TEXT_ITEM and i.isVisible()
            and i.sceneBoundingRect().width() > 3]


def _assert_readable(chart: BarChart | MonthlyChart) -> None:
    plot = chart.qchart.plotArea()
    assert not chart.x_axis.labelsTruncated() and not chart.y_axis.labelsTruncated()
    angle = chart.label_lines[1]
    shown = chart.x_axis.categories()
    assert [s.replace("<br>", "").replace("&lt;", "<").replace("&amp;", "&") for s in shown] == [
        c.replace("<", "\uff1c") for c in chart.categories]  # every word of every label, none cut
    if angle == 0:
        fm = QFontMetricsF(chart.x_axis.labelsFont())
        room = plot.width() / len(shown) - LABEL_GAP
        for label in shown:
            for line in label.split("<br>"):
                assert fm.horizontalAdvance(line) <= room, (line, room, chart.size())
    frame = QRectF(chart.rect()).adjusted(-1, -1, 1, 1)
    texts = _texts(chart)
    assert texts and all(frame.contains(r) for r in texts), (chart.size(), [r for r in texts if not frame.contains(r)])
    below = [r for r in texts if r.top() >= plot.bottom() - 1]  # the category labels
    assert len(below) == len(shown), (len(below), chart.size())
    below.sort(key=QRectF.left)
    for left, right in itertools.pairwise(below):
        assert left.right() <= right.left() + 1, (left, right, chart.size())  # side by side, never overlapping
    beside = [r for r in texts if r.right() <= plot.left() + 1 and r.top() >= plot.top() - 20]  # the value labels
    assert len(beside) >= 2, chart.size()
    beside.sort(key=QRectF.top)
    for upper, lower in itertools.pairwise(beside):
        assert upper.bottom() <= lower.top() + 1


@pytest.mark.parametrize("size", [(445, 143), (320, 140), (406, 246), (360, 220), (560, 280), (900, 400)])
def test_the_tier_chart_reads_at_every_size_the_overview_gives_it(qtbot: Any, size: tuple[int, int]) -> None:
    make_application()
    chart = BarChart("2026年全区 6 个村")
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.set_data(TIERS, [("经营性收入", [0, 1, 0, 0, 6, 0, 0]), ("总收入", [0, 0, 0, 1, 0, 6, 0])])
    _settled(qtbot, chart)
    _assert_readable(chart)
    assert chart.label_lines[1] == 0 or size[0] < 360  # upright only when even two lines are too wide
    title = chart.qchart.title()  # the series' key on the title's line
    assert "2026年全区 6 个村" in title and "■" in title and "经营性收入" in title and "总收入" in title


def test_resizing_refits_the_labels(qtbot: Any) -> None:
    make_application()
    chart = BarChart("收入分档")
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    chart.set_data(TIERS, [("经营性收入", [3, 1, 0, 2, 6, 0, 1])])
    _settled(qtbot, chart)
    assert chart.label_lines == (1, 0)
    wide_ticks = chart.y_axis.tickInterval()
    chart.resize(330, 150)
    qtbot.waitUntil(lambda: chart.label_lines != (1, 0) and _laid_out(chart))
    chart.grab()
    _assert_readable(chart)
    assert chart.y_axis.tickInterval() > wide_ticks  # fewer value labels in less height
    chart.resize(900, 400)
    qtbot.waitUntil(lambda: chart.label_lines == (1, 0) and _laid_out(chart))
    chart.grab()
    _assert_readable(chart)


def test_twelve_months_of_money_read_too(qtbot: Any) -> None:
    make_application()
    chart = MonthlyChart("近 12 个月")
    qtbot.addWidget(chart)
    chart.resize(700, 260)
    months = ["25年12月", *[f"{m}月" for m in range(1, 12)]]
    chart.set_data(months, [("收入", [Decimal("123456.78")] * 12), ("支出", [Decimal("3456.00")] * 12)])
    _settled(qtbot, chart)
    _assert_readable(chart)
    assert chart.y_axis.labelFormat() == "%.0f" and chart.y_axis.max() >= 12.3456


def test_label_splitting_and_steps() -> None:
    assert two_lines("无经营收益") == ("无经营", "收益")
    assert two_lines("50–100万") == ("50–", "100万")
    assert two_lines("≥100万") == ("≥100", "万")
    assert two_lines("25年12月") == ("25年", "12月")
    assert two_lines("5") == ("5", "")
    assert [nice_step(x, whole=True) for x in (0.3, 1, 2.2, 3.5, 7, 12)] == [1, 1, 3, 4, 10, 20]
    assert [nice_step(x, whole=False) for x in (0.3, 2.2, 7, 12)] == [0.5, 2.5, 10, 20]


def test_the_overview_page_chart_reads_at_the_windows_first_size(qtbot: Any, tmp_path: Path) -> None:
    """The 全区概览 page in a window of 90 % of a 1366 by 768 and a 1280 by 1024 screen (what the main
    window opens at): the chart is not clipped by its box and its labels read."""
    import desktop_app.sync  # noqa: F401  (registers the district guard)
    from db.migrate import open_database
    from desktop_app.core.demo.district import build_district_demo
    from desktop_app.core.services.users import authenticate
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.settings import WindowSettings

    make_application()
    made = build_district_demo(tmp_path / "demo", townships=2, villages=2, years=1)
    db = open_database(made.district)
    try:
        with db.begin() as s:
            user = authenticate(s, "quji", "demo1234")
        ctx = AppContext(db, user, WindowSettings(tmp_path / "window.json"))
        ctx.period = "2026-11"
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        for size in ((1229, 691), (1152, 921)):
            win.resize(*size)
            win.show()
            qtbot.waitExposed(win)
            page = win.page_widget(win.tabs.currentIndex())
            qtbot.waitUntil(lambda p=page: p.runner.active == 0, timeout=20_000)
            chart = page.chart
            qtbot.waitUntil(lambda c=chart: len(c.categories) > 0 and _laid_out(c))
            win.grab()
            box = chart.parentWidget()  # the page's 收入分档 box: a layout squeezed short clips what overflows it
            assert box.rect().contains(chart.geometry()), (size, box.rect(), chart.geometry())
            _assert_readable(chart)
        win.close()
    finally:
        db.close()
