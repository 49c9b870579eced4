"""Charts, drawn by QtCharts (PySide6-Addons; chosen over pyqtgraph for its start-up cost, see
bench/bench_home.py): grouped bars, categories along the bottom, one bar set per series, the key
to the series' colours on the title's line (■ 经营性收入 ■ 总收入: QtCharts' legend took a line of
its own), the figures in the tooltip.

``BarChart``: counts (villages per tier and the like), each bar labelled with its count.
``MonthlyChart``: money per month in 万元. Amounts arrive as Decimal 元; they become floats here
and only for drawing (every figure the user reads as text stays Decimal).

Every axis label is readable at whatever size the page gives the chart: QtCharts elides a
category label wider than 1/(n+1) of the plot ("无…", "5–1…") and a value label taller than
1/ticks of its height ("…"), so the chart fits them itself each time its plot area changes —
the value axis gets as many ticks as there is height for, a category label that does not fit
its category's width goes on two lines (after "–" or "年", else in the middle), then upright."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTextDocument
from PySide6.QtWidgets import QFrame, QSizePolicy, QWidget

PALETTE = ("#3b7dd8", "#e8833a", "#4aa564", "#c4483e", "#8a63c4", "#8c8c8c")
TEN_THOUSAND = Decimal(10000)
LABEL_GAP = 6  # px kept free between two category labels
_LABEL_PADDING = 4  # QtCharts' own padding above and below each axis label
_BREAKS = ("–", "-", "~", "年", " ")  # a two-line label breaks after one of these, else in the middle


def _cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80 and ch not in "\uff1c\uff1e≥≤"  # fullwidth less and greater than go with the figures


def two_lines(label: str, width: Callable[[str], float] = len) -> tuple[str, str]:
    """The label split in two where it reads best, the wider half as narrow as can be: after
    "–" or "年", else where figures meet Chinese ("≥100万" → ≥100 / 万), else between two
    Chinese characters ("无经营收益" → 无经营 / 收益); a number is never cut."""
    def halves(cut: int) -> tuple[str, str]:
        return label[:cut].rstrip(), label[cut:].lstrip()

    def worst(cut: int) -> float:
        return max(width(part) for part in halves(cut))

    def after_break(i: int) -> bool:
        return label[i - 1] in _BREAKS

    def script_changes(i: int) -> bool:
        return _cjk(label[i - 1]) != _cjk(label[i])

    def between_chinese(i: int) -> bool:
        return _cjk(label[i - 1]) and _cjk(label[i])

    inner = range(1, len(label))
    for fits in (after_break, script_changes, between_chinese):
        if cuts := [i for i in inner if fits(i)]:
            return halves(min(cuts, key=lambda i: (worst(i), -i)))  # a tie: the longer line first
    return label, ""


def nice_step(rough: float, *, whole: bool) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at least ``rough`` (counts: 1, 2, 3, 4, 5
    times one, never below 1, so no label repeats)."""
    if rough <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(rough))
    for factor in (1, 2, 3, 4, 5, 10) if whole else (1, 2, 2.5, 5, 10):
        if factor * power >= rough * (1 - 1e-9):
            return max(1.0, factor * power) if whole else factor * power
    return 10 * power


class _Bars(QChartView):
    """Grouped bars on a category axis and a value axis from 0."""

    unit = ""  # the value axis' title

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        self.qchart = QChart()
        super().__init__(self.qchart, parent)
        self.title = title
        self.names: list[str] = []  # the series, keyed on the title's line
        self.qchart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.qchart.setMargins(QMargins(4, 4, 4, 4))
        self.qchart.setBackgroundRoundness(0)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(self.qchart.backgroundBrush())  # one white panel, no grey rim around the chart
        self.setMinimumSize(320, 140)  # a short window squeezes the page: below its minimum a chart was clipped
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(8.0, base.pointSizeF() - 1))
        heading = QFont(base)
        heading.setBold(True)
        self.qchart.setTitleFont(heading)
        self.small = small
        self.smaller = QFont(small)
        self.smaller.setPointSizeF(max(7.5, small.pointSizeF() - 1))
        layout = self.qchart.layout()
        if layout is not None:  # its own 9 px margins took a tenth of a small chart's height
            layout.setContentsMargins(4, 4, 4, 2)
        self.bars = QBarSeries()
        self.qchart.addSeries(self.bars)
        self.x_axis = QBarCategoryAxis()
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText(self.unit)
        self.y_axis.setTitleFont(small)
        for axis in (self.x_axis, self.y_axis):
            axis.setLabelsFont(small)
        # the chart decides the category labels' lines itself (fit_labels): QtCharts would elide
        # any label wider than 1/(n+1) of the plot, though its category is 1/n wide
        self.x_axis.setTruncateLabels(False)
        self.qchart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.qchart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.bars.attachAxis(self.x_axis)
        self.bars.attachAxis(self.y_axis)
        self.qchart.legend().setVisible(False)
        self._set_title()
        self.categories: list[str] = []
        self.top = 0.0  # the highest value drawn
        self.headroom = 1.0  # how far above the highest value the axis must reach
        self.whole = False  # the values are counts: whole ticks only
        self.label_lines: tuple[int, int] = (1, 0)  # (most lines of a category label, angle)
        self._fitting = False
        self.qchart.plotAreaChanged.connect(self.fit_labels)

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
        self.categories, self.top = list(categories), top
        self.label_lines = (0, 0)  # none shown yet: fit_labels sets them
        self.names = [name for name, _ in series] if len(series) > 1 else []
        if title is not None:
            self.title = title
        self._set_title()
        self.fit_labels(self.qchart.plotArea())

    def _set_title(self) -> None:
        """The title, then a coloured ■ and the name of each series (in the labels' weight)."""
        key = ("&nbsp;" * 4).join(f'<span style="color:{PALETTE[i % len(PALETTE)]}">■</span>&nbsp;{html.escape(name)}'
                       for i, name in enumerate(self.names))
        text = html.escape(self.title)
        if key:
            size = self.small.pointSizeF()
            text += f'{"&nbsp;" * 6 if text else ""}<span style="font-weight:normal; font-size:{size:g}pt">{key}</span>'
        self.qchart.setTitle(text)

    # --- labels that fit --------------------------------------------------------------------
    def fit_labels(self, plot: QRectF) -> None:
        """The value axis' ticks and the category labels' lines for this plot area (called again
        by QtCharts whenever the plot area changes: a resize, a new title, labels on two lines).
        A change made here may move the plot area at once (a wider value label, a taller category
        label): that call is not nested but taken up by the loop, a few rounds at most."""
        if self._fitting:
            return
        self._fitting = True
        try:
            for _ in range(4):
                self._fit_values(plot.height())
                self._fit_categories(plot.width())
                if self.qchart.plotArea() == plot:
                    break
                plot = self.qchart.plotArea()
        finally:
            self._fitting = False

    def _label_height(self, axis: QValueAxis | QBarCategoryAxis, lines: int = 1) -> float:
        """The height QtCharts gives a label: a text document of the label's font and lines."""
        doc = QTextDocument()
        doc.setDefaultFont(axis.labelsFont())
        doc.setHtml("<br>".join(["0"] * lines))
        return doc.size().height()

    def _fit_values(self, height: float) -> None:
        room = self._label_height(self.y_axis) + 2 * _LABEL_PADDING + 1
        most = max(2, int(height // room)) if height > 0 else 6  # labels the axis has height for
        reach = self.top * self.headroom
        step = nice_step(reach / (most - 1), whole=self.whole) if reach > 0 else 1.0
        while reach > 0 and math.ceil(reach / step - 1e-9) + 1 > most:  # the rounding up left too many
            step = nice_step(step * 1.01, whole=self.whole)
        top = max(step, math.ceil(reach / step - 1e-9) * step)
        decimals = next((d for d in range(4) if abs(step * 10 ** d - round(step * 10 ** d)) < 1e-6), 3)
        if (self.y_axis.tickType(), self.y_axis.tickInterval(), self.y_axis.max()) != (
                QValueAxis.TickType.TicksDynamic, step, top):
            self.y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
            self.y_axis.setTickAnchor(0)
            self.y_axis.setTickInterval(step)
            self.y_axis.setRange(0, top)
        label_format = "%d" if self.whole else f"%.{decimals}f"  # 0.5, 2.5: never two labels alike
        if self.y_axis.labelFormat() != label_format:
            self.y_axis.setLabelFormat(label_format)

    def _fit_categories(self, width: float) -> None:
        if not self.categories:
            if self.x_axis.count():
                self.x_axis.clear()
            return
        room = width / len(self.categories) - LABEL_GAP if width > 0 else math.inf
        # QtCharts sets every label as HTML: "<5万" would vanish, "&" be eaten
        plain = [c.replace("<", "\uff1c") for c in self.categories]
        chosen: tuple[QFont, list[str]] | None = None
        for font in (self.small, self.smaller):  # the labels' size, then a point smaller
            if (fitted := self._fitted(plain, QFontMetricsF(font), room)) is not None:
                chosen = (font, fitted)
                break
        angle = 0 if chosen is not None else -90  # else upright: each label as wide as one line is high
        font, shown = chosen or (self.smaller, [html.escape(label) for label in plain])
        lines = 2 if any("<br>" in s for s in shown) else 1
        if ((lines, angle) == self.label_lines and self.x_axis.categories() == shown
                and self.x_axis.labelsFont() == font):
            return
        self.label_lines = (lines, angle)
        self.x_axis.setLabelsFont(font)
        self.x_axis.setLabelsAngle(angle)
        self.x_axis.clear()
        self.x_axis.append(shown)

    @staticmethod
    def _fitted(labels: Sequence[str], fm: QFontMetricsF, room: float) -> list[str] | None:
        """The labels as shown (HTML), a label too wide for ``room`` on two lines; None when one
        does not fit even so."""
        shown: list[str] = []
        for label in labels:
            if fm.horizontalAdvance(label) <= room:
                shown.append(html.escape(label))
                continue
            pair = two_lines(label, fm.horizontalAdvance)
            if not pair[1] or max(fm.horizontalAdvance(p) for p in pair) > room:
                return None
            shown.append("<br>".join(html.escape(p) for p in pair))
        return shown

    def bar_sets(self) -> list[QBarSet]:
        return list(self.bars.barSets())


class BarChart(_Bars):
    """Counts per category (one bar set per series), each bar labelled with its count."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.whole = True
        self.headroom = 1.1  # room above the tallest bar for its count
        self.y_axis.setLabelFormat("%d")
        self.bars.setLabelsVisible(True)
        self.bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.bars.setLabelsFormat("@value")
        self.series: list[tuple[str, list[int]]] = []

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 title: str | None = None) -> None:
        counted = [(name, [int(v) for v in values]) for name, values in series]
        self._draw(categories, [(name, [float(v) for v in values]) for name, values in counted], title)
        self.series = counted
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
