"""Charts, drawn by QtCharts (PySide6-Addons; chosen over pyqtgraph for its start-up cost, see
bench/bench_home.py): grouped bars, categories along the bottom, one bar set per series, a legend
when there are several series, the figures in the tooltip.

``BarChart``: counts (villages per tier and the like), each bar labelled with its count.
``MonthlyChart``: money per month in 万元. Amounts arrive as Decimal 元; they become floats here
and only for drawing (every figure the user reads as text stays Decimal)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QFrame, QSizePolicy, QWidget

PALETTE = ("#3b7dd8", "#e8833a", "#4aa564", "#c4483e", "#8a63c4", "#8c8c8c")
TEN_THOUSAND = Decimal(10000)


class _Bars(QChartView):
    """Grouped bars on a category axis and a value axis from 0."""

    unit = ""  # the value axis' title

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        self.qchart = QChart()
        super().__init__(self.qchart, parent)
        self.title = title
        self.qchart.setTitle(title)
        self.qchart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.qchart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.qchart.setMargins(QMargins(4, 4, 4, 4))
        self.qchart.setBackgroundRoundness(0)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(self.qchart.backgroundBrush())  # one white panel, no grey rim around the chart
        self.setMinimumSize(360, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.bars = QBarSeries()
        self.qchart.addSeries(self.bars)
        self.x_axis = QBarCategoryAxis()
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText(self.unit)
        self.qchart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.qchart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.bars.attachAxis(self.x_axis)
        self.bars.attachAxis(self.y_axis)
        self.qchart.legend().setVisible(False)

    def sizeHint(self) -> QSize:
        return QSize(560, 280)

    def _draw(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str | None) -> None:
        if any(len(values) != len(categories) for _, values in series):
            raise ValueError("every series needs one value per category")
        self.bars.clear()
        top = 0.0
        for i, (name, values) in enumerate(series):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(PALETTE[i % len(PALETTE)]))
            bar_set.setBorderColor(QColor(PALETTE[i % len(PALETTE)]))
            bar_set.setLabelColor(QColor("#333333"))
            bar_set.append(list(values))
            self.bars.append(bar_set)
            top = max([top, *values])
        self.x_axis.clear()
        # an axis label that looks like markup is drawn as rich text: "<5万" would vanish
        self.x_axis.append([c.replace("<", "\uff1c") for c in categories])
        self.y_axis.setRange(0, top * 1.1 or 1.0)
        self.y_axis.applyNiceNumbers()
        self.qchart.legend().setVisible(len(series) > 1)
        if title is not None:
            self.title = title
            self.qchart.setTitle(title)

    def bar_sets(self) -> list[QBarSet]:
        return list(self.bars.barSets())


class BarChart(_Bars):
    """Counts per category (one bar set per series), each bar labelled with its count."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.y_axis.setLabelFormat("%d")
        self.bars.setLabelsVisible(True)
        self.bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.bars.setLabelsFormat("@value")
        self.categories: list[str] = []
        self.series: list[tuple[str, list[int]]] = []

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 title: str | None = None) -> None:
        counted = [(name, [int(v) for v in values]) for name, values in series]
        self._draw(categories, [(name, [float(v) for v in values]) for name, values in counted], title)
        self.y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.y_axis.setTickInterval(max(1, int(self.y_axis.max()) // 5))
        self.categories, self.series = list(categories), counted
        self.setToolTip("\n".join(
            f"{name}：" + "，".join(f"{c} {v}" for c, v in zip(self.categories, values, strict=True))
            for name, values in self.series))


class MonthlyChart(_Bars):
    """Money per month (收入, 支出 …) in 万元; the tooltip has every figure in 元."""

    unit = "万元"

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.y_axis.setLabelFormat("%.0f")

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal]]],
                 title: str | None = None) -> None:
        self._draw(categories, [(name, [float(v / TEN_THOUSAND) for v in values]) for name, values in series], title)
        self.setToolTip("\n".join(
            f"{name}：" + "，".join(f"{c} {v:,.2f}元" for c, v in zip(categories, values, strict=True))
            for name, values in series))
