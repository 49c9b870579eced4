"""Charts. ``MonthlyChart``: money per month as grouped bars, drawn by QtCharts (PySide6-Addons,
chosen over pyqtgraph for its start-up cost: bench/bench_home.py). ``BarChart``: a bar chart drawn
with QPainter: categories along the bottom, one bar per series in each, the value over each bar, a
legend when there are several series. Counts only (villages per tier and the like): the values are
shown as they are."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

PALETTE = ("#3b7dd8", "#e8833a", "#4aa564", "#c4483e", "#8a63c4", "#8c8c8c")
TEN_THOUSAND = Decimal(10000)


class BarChart(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.categories: list[str] = []
        self.series: list[tuple[str, list[int]]] = []
        self.setMinimumSize(360, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(520, 260)

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 title: str | None = None) -> None:
        if any(len(values) != len(categories) for _, values in series):
            raise ValueError("every series needs one value per category")
        self.categories = list(categories)
        self.series = [(name, [int(v) for v in values]) for name, values in series]
        if title is not None:
            self.title = title
        self.setToolTip("\n".join(
            f"{name}：" + "，".join(f"{c} {v}" for c, v in zip(self.categories, values, strict=True))
            for name, values in self.series))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = p.fontMetrics()
        line = fm.height()
        top = 6.0
        if self.title:
            p.drawText(QRectF(0, top, self.width(), line), Qt.AlignmentFlag.AlignHCenter, self.title)
            top += line + 4
        if len(self.series) > 1:
            x = 8.0
            for i, (name, _) in enumerate(self.series):
                p.fillRect(QRectF(x, top + 3, 12, line - 6), QColor(PALETTE[i % len(PALETTE)]))
                p.drawText(QRectF(x + 16, top, fm.horizontalAdvance(name) + 4, line), Qt.AlignmentFlag.AlignVCenter, name)
                x += 16 + fm.horizontalAdvance(name) + 18
            top += line + 4
        if not self.categories:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "（无数据）")
            p.end()
            return
        left, right, bottom = 8.0, self.width() - 8.0, self.height() - line - 8.0
        value_h = line + 2
        plot_h = max(bottom - top - value_h, 10.0)
        biggest = max((v for _, values in self.series for v in values), default=0) or 1
        slot = (right - left) / len(self.categories)
        n = max(len(self.series), 1)
        bar = max(min(slot * 0.8 / n, 60.0), 2.0)
        group = bar * n
        axis = QColor(self.palette().text().color())
        axis.setAlpha(120)
        p.setPen(axis)
        p.drawLine(int(left), int(bottom), int(right), int(bottom))
        p.setPen(self.palette().text().color())
        for ci, category in enumerate(self.categories):
            x0 = left + slot * ci + (slot - group) / 2
            for si, (_, values) in enumerate(self.series):
                v = values[ci]
                h = plot_h * v / biggest
                rect = QRectF(x0 + si * bar, bottom - h, bar - 2, h)
                p.fillRect(rect, QColor(PALETTE[si % len(PALETTE)]))
                p.drawText(QRectF(rect.x() - 10, bottom - h - value_h, bar + 18, value_h),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, str(v))
            label = fm.elidedText(category, Qt.TextElideMode.ElideRight, int(slot) - 2)
            p.drawText(QRectF(left + slot * ci, bottom + 3, slot, line), Qt.AlignmentFlag.AlignHCenter, label)
        p.end()


class MonthlyChart(QChartView):
    """Money per month as grouped bars drawn by QtCharts (PySide6-Addons): one bar set per series
    (收入, 支出), the months along the bottom, 万元 up the side. Values arrive as Decimal 元; the
    conversion to float happens here and only for drawing (the figures shown as text stay Decimal)."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        self.qchart = QChart()
        super().__init__(self.qchart, parent)
        self.qchart.setTitle(title)
        self.qchart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.qchart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.qchart.setMargins(QMargins(4, 4, 4, 4))
        self.qchart.setBackgroundRoundness(0)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(360, 220)
        self.bars = QBarSeries()
        self.qchart.addSeries(self.bars)
        self.x_axis = QBarCategoryAxis()
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%.0f")
        self.y_axis.setTitleText("万元")
        self.qchart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.qchart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.bars.attachAxis(self.x_axis)
        self.bars.attachAxis(self.y_axis)

    def sizeHint(self) -> QSize:
        return QSize(640, 280)

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal]]],
                 title: str | None = None) -> None:
        if any(len(values) != len(categories) for _, values in series):
            raise ValueError("every series needs one value per category")
        self.bars.clear()
        top = Decimal(0)
        for i, (name, values) in enumerate(series):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(PALETTE[i % len(PALETTE)]))
            bar_set.setBorderColor(QColor(PALETTE[i % len(PALETTE)]))
            bar_set.append([float(v / TEN_THOUSAND) for v in values])
            self.bars.append(bar_set)
            top = max([top, *values])
        self.x_axis.clear()
        self.x_axis.append(list(categories))
        self.y_axis.setRange(0, float(top / TEN_THOUSAND) * 1.1 or 1.0)
        self.y_axis.applyNiceNumbers()
        if title is not None:
            self.qchart.setTitle(title)
        self.setToolTip("\n".join(
            f"{name}：" + "，".join(f"{c} {v:,.2f}元" for c, v in zip(categories, values, strict=True))
            for name, values in series))

    def bar_sets(self) -> list[QBarSet]:
        return list(self.bars.barSets())
