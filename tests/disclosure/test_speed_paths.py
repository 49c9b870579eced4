"""The faster paths of the sheets give exactly what the slower ones gave: household totals summed
in SQL equal the roster's, the QR mask penalty and mask choice equal reportlab's, a PDF drawn with
the remembered text equals one drawn by reportlab's own text calls, and one with the remembered
page frame equals one with the frame drawn afresh on every page, a build that reads each book's
chart once gives the same bytes as one that reads it every time, and a book's build reads the
chart, balances, statement headers and posted lines once (more sections asking for them, or a
bigger chart, add no query)."""

from __future__ import annotations

import contextlib
import random

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.barcode.qrencoder import QRUtil
from sqlalchemy import select

from db.models import DistributionPlan
from desktop_app.core.services import funds_base
from desktop_app.reports.disclosure import builder, pdf
from desktop_app.reports.disclosure.builder import build_disclosure

from .conftest import PERIOD, Village


def test_household_totals_in_sql_equal_the_roster(village: Village) -> None:
    from desktop_app.core.services.distribution_query import plan_household_totals, plan_roster

    with village.db.begin() as s:
        plans = list(s.scalars(select(DistributionPlan.id)))
        assert plans, "the demo has distribution plans"
        for plan_id in plans:
            roster = plan_roster(s, plan_id).households
            totals = plan_household_totals(s, plan_id)
            assert totals == roster
            assert [repr(h) for h in totals] == [repr(h) for h in roster]  # Decimal places too


class _Modules:
    def __init__(self, modules: list[list[bool]]) -> None:
        self.modules = modules


def test_qr_mask_penalty_equals_reportlab() -> None:
    rnd = random.Random(5)
    finder = [True, False, True, True, True, False, True, False, False, False, False]
    for _ in range(300):
        n = rnd.choice([21, 25, 33, 45, 57])
        dark = rnd.random()
        modules = [[rnd.random() < dark for _ in range(n)] for _ in range(n)]
        for _ in range(rnd.randint(0, 4)):  # finder-like runs, also where reportlab stops looking
            r, j = rnd.randrange(n), rnd.choice([0, n - 11, n - 12, rnd.randrange(n - 10)])
            modules[r][j:j + 11] = finder
        assert pdf._lost_point(modules) == QRUtil.getLostPoint(_Modules(modules))
    for k in range(40):
        # several QR versions (longer book codes), so masks are applied at every version's data positions
        payload = f"SL1|91330000MA2{k:07d}|{k:03d}{'X' * (k % 4 * 15)}|2026-{k % 12 + 1:02d}|" + f"{k:064x}"
        reference = QrCodeWidget(payload, barLevel="M")
        reference.qr.make()
        pdf._qr_matrix.cache_clear()
        assert pdf.qr_modules(payload) == [[bool(m) for m in row] for row in reference.qr.modules]


def _plain_draw_ops(c, font, ops, stroke, memo=None):  # type: ignore[no-untyped-def]
    """The drawing as reportlab's own text calls do it (what ``_draw_ops`` replaces)."""
    lines: dict[float, list[tuple[float, float, float, float]]] = {}
    t = c.beginText(0, 0)
    size_now, bold_now = -1.0, False
    lx = ly = 0.0
    for op in ops:
        if op[0] == "t":
            _, x, y, text, size, align, bold = op
            size_f, x_f = float(size), float(x)
            if size_f != size_now:
                t.setFont(font, size_f)
                size_now = size_f
            if align != "l":
                w = pdf.text_width(str(text), size_f)
                x_f -= w if align == "r" else w / 2
            if bool(bold) != bold_now:
                bold_now = bool(bold)
                t.setTextRenderMode(2 if bold_now else 0)
            y_f = float(y)
            t.moveCursor(x_f - lx, ly - y_f)
            lx, ly = x_f, y_f
            t.textOut(str(text))
        elif op[0] == "h":
            _, x1, y1, x2, y2, width = op
            lines.setdefault(width, []).append((x1, y1, x2, y2))
        elif op[0] == "r":
            _, x, y, w, h, width = op
            c.setLineWidth(width)
            c.rect(x, y, w, h, stroke=1, fill=0)
    c.setLineWidth(stroke)
    c.drawText(t)
    for width, segs in lines.items():
        c.setLineWidth(width)
        c.lines(segs)


def test_remembered_text_gives_the_same_pdf(village: Village, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with village.db.begin() as s:
        fast = build_disclosure(s, village.org.id, PERIOD).pdf
        monkeypatch.setattr(pdf, "_draw_ops", _plain_draw_ops)
        plain = build_disclosure(s, village.org.id, PERIOD).pdf
    assert fast == plain


def test_remembered_page_frame_gives_the_same_pdf(village: Village, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page frame (title, organisation line, footer, page x/y, check code) is written by
    reportlab once per document and place and repeated from the memo after; drawing every frame
    string afresh gives the same bytes, on both page formats and with every book of the village
    in one document (the page x/y strings repeat across its sheet sets)."""
    drawn_afresh: list[str] = []
    draw_text = pdf._draw_text

    def counting_draw_text(c, font, x, y, text, size, align, bold):  # type: ignore[no-untyped-def]
        drawn_afresh.append(text)
        draw_text(c, font, x, y, text, size, align, bold)

    monkeypatch.setattr(pdf, "_draw_text", counting_draw_text)
    with village.db.begin() as s:
        remembered = [build_disclosure(s, village.org.id, PERIOD, a3=a3) for a3 in (False, True)]
    frame_strings = len(drawn_afresh)
    assert remembered[0].pages > 2 and len(remembered[0].sheets) > 1
    remember = pdf._text

    def without_memo(c, font, x, y, text, size, align, bold, drawn=None):  # type: ignore[no-untyped-def]
        remember(c, font, x, y, text, size, align, bold, None)

    monkeypatch.setattr(pdf, "_text", without_memo)
    drawn_afresh.clear()
    with village.db.begin() as s:
        afresh = [build_disclosure(s, village.org.id, PERIOD, a3=a3) for a3 in (False, True)]
    assert len(drawn_afresh) > 2 * frame_strings  # the memo did the repeating in the first builds
    assert [d.pdf for d in remembered] == [d.pdf for d in afresh]


def test_reading_each_chart_once_gives_the_same_pdf(village: Village, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with village.db.begin() as s:
        cached = build_disclosure(s, village.org.id, PERIOD).pdf
        assert funds_base._READ_CACHE not in s.info  # the cache ends with the build
        monkeypatch.setattr(builder, "read_cache", lambda session: contextlib.nullcontext())
        uncached = build_disclosure(s, village.org.id, PERIOD).pdf
    assert cached == uncached


def test_read_cache_reads_a_book_once_and_hands_out_copies(village: Village) -> None:
    from sqlalchemy import event

    with village.db.begin() as s:
        queries: list[str] = []
        event.listen(s.get_bind(), "before_cursor_execute", lambda *a: queries.append(a[2]))
        with funds_base.read_cache(s):
            with funds_base.read_cache(s):  # nested: the same cache
                first = funds_base.book_accounts(s, village.book.id)
            first.clear()  # a caller's copy, not the cache
            again = funds_base.book_accounts(s, village.book.id)
            assert again and funds_base.get_book_row(s, village.book.id) == funds_base.get_book_row(s, village.book.id)
        assert sum("FROM account" in q for q in queries) == 1
        assert sum("FROM book" in q for q in queries) == 1
        assert funds_base.book_accounts(s, village.book.id) == again  # outside the block: the session's own
        assert sum("FROM account" in q for q in queries) == 1  # chart cache answers (DESIGN-NOTES 43;
        # when it forgets: tests/funds/test_house2_chart_cache.py)


def test_reads_in_the_read_cache_see_the_sessions_unflushed_changes(village: Village) -> None:
    """Inside the build's cache the read-only queries skip the ORM (no autoflush): the cache
    flushes when it starts, so a change the caller made just before is read, not the stored value."""
    from db.models import Organisation

    with village.db.begin() as s:
        org = s.get(Organisation, village.org.id)
        assert org is not None
        org.phone = "0571-87654321"
        with funds_base.read_cache(s):
            phone = funds_base.reads(s).execute(select(Organisation.phone).where(Organisation.id == org.id)).scalar()
        assert phone == "0571-87654321"


def _count_queries(session):  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    queries: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *a: queries.append(a[2]))
    return queries


def test_book_build_queries_do_not_grow_with_accounts_or_sections(village: Village) -> None:
    """The statements, the cover and the sections read the chart, balances, headers and posted
    lines through the build's cache: another section asking for the same figures, or a bigger
    chart, adds no query."""
    from desktop_app.core.errors import ConflictError
    from desktop_app.core.services.orgs import add_sub_account, list_accounts
    from desktop_app.core.services.statements import (
        balance_sheet,
        income_distribution_values,
        income_expense_statement,
        income_figures,
    )
    from desktop_app.core.services.users import list_users
    from desktop_app.reports.disclosure.data import sheet_lines
    from desktop_app.reports.disclosure.registry import (
        DisclosureSection,
        TextBlock,
        register_section,
        unregister_section,
    )

    def count() -> int:
        with village.db.begin() as s:
            queries = _count_queries(s)
            build_disclosure(s, village.org.id, PERIOD, book_ids=[village.book.id])
            return len(queries)

    before = count()

    def probe(session, ctx):  # type: ignore[no-untyped-def]
        income_figures(session, ctx.book.id, ctx.period_from, ctx.period_to)
        income_figures(session, ctx.book.id, ctx.year_start, ctx.period_to)
        balance_sheet(session, ctx.book.id, ctx.period_to)
        income_expense_statement(session, ctx.book.id, ctx.period_from, ctx.period_to)
        sheet_lines(session, ctx, ctx.period_from)
        sheet_lines(session, ctx, ctx.year_start)
        return [TextBlock("复核")]

    register_section(DisclosureSection("test_probe", "复核", 99, probe))  # type: ignore[arg-type]
    try:
        assert count() == before
    finally:
        unregister_section("test_probe")
    with village.db.begin() as s:
        income_distribution_values(s, village.book.id, PERIOD, PERIOD)  # the statements themselves still work
        bookkeeper = next(u for u in list_users(s) if u.has_role("bookkeeper"))
        added = 0
        for acc in list_accounts(s, village.book.id):
            if added == 12:
                break
            try:
                add_sub_account(s, book_id=village.book.id, parent_code=acc.code, code=f"{acc.code}91",
                                name=f"测试明细{added}", user=bookkeeper)
                added += 1
            except ConflictError:
                continue
    assert added == 12
    assert count() == before


def test_statements_inside_the_read_cache_equal_those_outside(village: Village) -> None:
    from desktop_app.core.services import balances
    from desktop_app.core.services.statements import balance_sheet, income_expense_statement, income_figures

    book = village.book.id
    with village.db.begin() as s:
        outside = (balance_sheet(s, book, PERIOD), income_expense_statement(s, book, "2026-07", PERIOD),
                   income_figures(s, book, "2026-01", PERIOD))
        with funds_base.read_cache(s):
            balances.balances_before(s, book, PERIOD).clear()  # a caller's copy, not the cache
            inside = (balance_sheet(s, book, PERIOD), income_expense_statement(s, book, "2026-07", PERIOD),
                      income_figures(s, book, "2026-01", PERIOD))
            again = balance_sheet(s, book, PERIOD)
    assert inside == outside
    assert again == outside[0]


def test_sections_share_one_read_of_the_posted_lines(village: Village) -> None:
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.reports.disclosure.context import make_context
    from desktop_app.reports.disclosure.data import posted_lines, sheet_lines

    with village.db.begin() as s:
        for code in (PERIOD, "2026-Q3", "2026"):
            ctx = make_context(s, village.book.id, parse_disclosure_period(code))
            queries = _count_queries(s)
            in_period = sheet_lines(s, ctx, ctx.period_from)
            year = sheet_lines(s, ctx, ctx.year_start)
            assert sum("FROM voucher" in q for q in queries) == 1
            assert in_period and in_period == posted_lines(s, village.book.id, ctx.period_from, ctx.period_to)
            assert year == posted_lines(s, village.book.id, ctx.year_start, ctx.period_to)
