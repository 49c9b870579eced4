"""首页 (issue #17): the first page after login. For the township (every village in it) or one
village: what is due today, each with a button to the page that deals with it; this year's
collective income against last year's with its tier; the last twelve months of income and
expense as a chart (QtCharts).

Everything comes from one service call (``home.home_overview``), read in the background so the
window paints at once; the page reloads when data changes or the user picks another scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.services.auth import user_organisations
from desktop_app.core.services.home import DueItem, HomeOverview, HomeScope, home_overview, home_scopes
from desktop_app.core.services.orgs import get_organisation, list_books
from desktop_app.ui.charts import MonthlyChart
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec, discover_pages
from desktop_app.ui.tasks import TaskHandle, TaskRunner

OVERDUE, DUE, DONE = "#c4483e", "#d98a1c", "#4aa564"


def wan(amount: Decimal) -> str:
    """12345678.90 → "1,234.57 万元" (the scale a township reads its income in)."""
    return f"{amount / Decimal(10000):,.2f} 万元"


class DueRow(QFrame):
    """One due item: a coloured mark, the title, the sentence with its figures (the lines behind
    it in the tooltip), and a button to the page that deals with it."""

    def __init__(self, item: DueItem, ctx: AppContext, page_title: str) -> None:
        super().__init__()
        self.item = item
        self.setObjectName(f"due_{item.key}")
        colour = DONE if item.count == 0 else (OVERDUE if item.overdue else DUE)
        mark = QLabel("✓" if item.count == 0 else "●")
        mark.setStyleSheet(f"color: {colour}; font-size: 15px")
        mark.setFixedWidth(18)
        title = QLabel(f"<b>{item.title}</b>")
        title.setFixedWidth(72)
        text = QLabel(item.summary)
        text.setObjectName("summary")
        text.setWordWrap(True)
        if item.count == 0:
            text.setStyleSheet("color: #777")
        if item.details:
            text.setToolTip("\n".join(item.details))
        self.button = QPushButton(f"前往{page_title}")
        self.button.setObjectName("go")
        self.button.setToolTip("\n".join(item.details) if item.details else "")
        self.button.clicked.connect(lambda: go_to(ctx, item))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 3, 2, 3)
        layout.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)


def go_to(ctx: AppContext, item: DueItem) -> None:
    """前往: the book and month the item names (through the context, as the window's own pickers
    set them), then its page, which opens on them."""
    if item.book_id is not None and item.organisation_id is not None and (
            ctx.book is None or ctx.book.id != item.book_id):
        org = ctx.read(get_organisation, item.organisation_id)
        book = next((b for b in ctx.read(list_books, org.id) if b.id == item.book_id), None)
        if book is not None:
            ctx.set_selection(org, book)
    if item.period is not None:
        ctx.set_period(item.period)
    ctx.page_requested.emit(item.page)


class HomePage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = TaskRunner(self, delay_ms=None)  # no progress dialog: the page says 正在统计
        self.task: TaskHandle | None = None
        self.overview: HomeOverview | None = None
        self.today = date.today()
        only = ctx.read(user_organisations, ctx.user.id)
        self.scopes: list[HomeScope] = ctx.read(home_scopes, only)

        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("home_scope")
        self.scope_combo.addItems([("　" if s.kind == "village" else "") + s.name for s in self.scopes])
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.status = QLabel()
        self.status.setObjectName("home_status")
        self.status.setStyleSheet("color: #666")
        top = QHBoxLayout()
        top.addWidget(QLabel("范围"))
        top.addWidget(self.scope_combo, 1)
        top.addWidget(self.status, 2)

        self.due_box = QWidget()
        self.due_layout = QVBoxLayout(self.due_box)
        self.due_layout.setContentsMargins(0, 0, 0, 0)
        self.due_layout.setSpacing(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.due_box)
        scroll.viewport().setAutoFillBackground(False)  # the group box's own background, not a grey well
        self.due_box.setAutoFillBackground(False)
        due_group = QGroupBox("待办事项")
        due_group.setObjectName("box_due")
        QVBoxLayout(due_group).addWidget(scroll)

        self.income_label = QLabel()
        self.income_label.setObjectName("income_summary")
        self.income_label.setWordWrap(True)
        self.income_label.setTextFormat(Qt.TextFormat.RichText)
        self.income_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        income_group = QGroupBox("集体经济收入")
        income_group.setObjectName("box_income")
        QVBoxLayout(income_group).addWidget(self.income_label)

        self.chart = MonthlyChart()
        self.chart.setObjectName("home_chart")
        chart_group = QGroupBox("近 12 个月收入与支出")
        chart_group.setObjectName("box_chart")
        QVBoxLayout(chart_group).addWidget(self.chart)

        grid = QGridLayout()
        grid.addWidget(due_group, 0, 0)
        grid.addWidget(income_group, 0, 1)
        grid.addWidget(chart_group, 1, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    def scope(self) -> HomeScope | None:
        i = self.scope_combo.currentIndex()
        return self.scopes[i] if 0 <= i < len(self.scopes) else None

    def _on_data_changed(self, _kind: str, _ids: object) -> None:
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        scope = self.scope()
        if scope is None:
            self.status.setText("没有可查看的组织")
            return
        self.today = date.today()
        self.status.setText("正在统计…")
        self.task = self.runner.run(lambda _p: self._read(scope, self.today), title="正在统计",
                                    cancellable=False, on_result=self.show_overview)

    def _read(self, scope: HomeScope, today: date) -> HomeOverview:
        """In the background: its own read transaction (a WAL snapshot)."""
        return self.ctx.read(home_overview, scope, today, user=self.ctx.user)  # runs here: a database thread

    def show_overview(self, overview: Any) -> None:
        if not isinstance(overview, HomeOverview) or overview.scope != self.scope():
            return  # an answer for a scope no longer chosen
        self.overview = overview
        d = overview.as_of
        self.status.setText(f"{d.year}年{d.month}月{d.day}日　待办 {sum(1 for i in overview.due if i.count)} 项")
        while self.due_layout.count():
            w = self.due_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        titles = {p.id: p.title for p in discover_pages()}  # the tabs' own names
        self.rows = [DueRow(item, self.ctx, titles.get(item.page, item.page)) for item in overview.due]
        for i, row in enumerate(self.rows):
            if i:
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setStyleSheet("color: #ddd")
                self.due_layout.addWidget(line)
            self.due_layout.addWidget(row)
        self.due_layout.addStretch(1)
        self.income_label.setText(income_html(overview))
        months = overview.months
        self.chart.set_data([f"{m.period[2:4]}年{int(m.period[5:])}月" if m.period.endswith("-01") or i == 0
                             else f"{int(m.period[5:])}月" for i, m in enumerate(months)],
                            [("收入", [m.income for m in months]), ("支出", [m.expense for m in months])])


def income_html(overview: HomeOverview) -> str:
    inc = overview.income
    span = f"{inc.year}年1月" if inc.month == 1 else f"{inc.year}年1–{inc.month}月"
    if inc.change_pct is None:
        change = "（上年同期无收入）"
    else:
        arrow = "▲" if inc.change_pct >= 0 else "▼"
        colour = DONE if inc.change_pct >= 0 else OVERDUE
        change = f"<span style='color:{colour}'>{arrow} {abs(inc.change_pct)}%</span>"
    parts = [f"<p>{span}经营性收入<br><span style='font-size:20px'><b>{wan(inc.operating)}</b></span>"
             f"　比上年同期 {change}</p>",
             "<table cellspacing='0' cellpadding='3'>"
             f"<tr><td>上年同期经营性收入</td><td align='right'>{wan(inc.last_operating)}</td></tr>"
             f"<tr><td>本年总收入</td><td align='right'>{wan(inc.total)}</td></tr>"
             f"<tr><td>上年同期总收入</td><td align='right'>{wan(inc.last_total)}</td></tr>"
             f"<tr><td>上年全年经营性收入</td><td align='right'>{wan(inc.last_year_operating)}</td></tr>"
             "</table>"]
    if overview.scope.kind == "village":
        parts.append(f"<p>收入档次：本年至今 <b>{inc.tier or '（无账）'}</b>，"
                     f"上年 <b>{inc.last_year_tier or '（无账）'}</b></p>")
    elif inc.tiers:
        rows = "".join(f"<tr><td>{t.label}</td><td align='right'>{t.this_year}</td><td align='right'>{t.last_year}</td></tr>"
                       for t in inc.tiers if t.this_year or t.last_year)
        parts.append(f"<p>按经营性收入分档（{inc.villages} 个村）：</p><table cellspacing='0' cellpadding='3'>"
                     f"<tr><th align='left'>档次</th><th>本年至今</th><th>上年全年</th></tr>{rows}</table>")
    parts.append(f"<p style='color:#888'>{inc.definition}</p>")
    return "".join(parts)


PAGE = PageSpec("home", "首页", 0, HomePage)
