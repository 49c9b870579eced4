"""The 财务公开 as phone images: portrait 1080 px PNGs, one per section, each with the organisation,
period, 第k/n张 and a QR code that a real decoder (zxing-cpp) reads and ``verify-sheet --payload``
accepts; the 长图 is all of them stacked; the figures are the PDF's, read back from the PDF."""

from __future__ import annotations

import collections
import io
import re
from pathlib import Path

import pdfplumber
import pytest
import zxingcpp
from PIL import Image

from desktop_app.cli import main
from desktop_app.core.rows import BookRow
from desktop_app.core.services.orgs import list_books
from desktop_app.reports.disclosure.builder import build_disclosure
from desktop_app.reports.disclosure.phone import (
    MAX_COLUMNS,
    PHONE,
    build_phone_images,
    disclose_images,
    for_phone,
)
from desktop_app.reports.disclosure.phone_render import (
    LONG_MAX_PX,
    image_stem,
    long_parts,
    phone_pdf,
    write_images,
)
from desktop_app.reports.disclosure.registry import Column, TableBlock
from desktop_app.reports.sealing import verify_payload

from .conftest import PERIOD, Village

AMOUNT = re.compile(r"(?<![\d.,])-?\d{1,3}(?:,\d{3})*\.\d{2}(?![\d.])")


def _texts(ops: tuple[object, ...]) -> list[str]:
    return [str(op[3]) for op in ops if op[0] == "t"]  # type: ignore[index]


def _small_book(village: Village) -> BookRow:
    """The village's other book (the 村民委员会's: a third of the images, so the test is quick)."""
    with village.db.begin() as s:
        return next(b for b in list_books(s, village.org.id) if b.id != village.book.id)


def test_images_are_phone_sized_sealed_and_verify(village: Village, tmp_path: Path) -> None:
    book = _small_book(village)
    with village.db.begin() as s:
        phone = disclose_images(s, village.org.id, PERIOD, book_ids=[book.id])  # seals, in this transaction
    pngs, longs = write_images(phone, tmp_path, image_stem(village.org.region_code, village.org.name, PERIOD))
    assert len(pngs) == len(phone.images) >= 6 and longs[0].name.endswith(("_长图.png", "_长图1.png"))
    assert pngs[0].name.endswith("_第01张.png")
    sizes = []
    decoded: set[str] = set()
    with village.db.begin() as s:
        for path, image in zip(pngs, phone.images, strict=True):
            with Image.open(path) as png:
                assert png.format == "PNG" and png.size == (1080, 2340)  # portrait, a phone screen
                sizes.append(png.size)
                codes = zxingcpp.read_barcodes(png)
            assert [c.text for c in codes] == [image.payload], path.name  # one QR, the sheet's own payload
            texts = _texts(image.ops)
            assert f"财务公开 · {phone.period.label} · 第{image.number}/{len(pngs)}张" in texts
            assert any(village.org.name[:3] in t for t in texts[:2])  # the organisation at the top
            if image.payload not in decoded:
                decoded.add(image.payload)
                checks = verify_payload(s, codes[0].text)
                assert checks and all(c.ok for c in checks), [c.lines for c in checks]
                assert "相符" in checks[0].message
    assert decoded == {c.payload for c in phone.contents}  # every book's seal, as the PDF carries it
    heights, found = [], 0
    for path in longs:  # the 长图 (split when taller than a phone opens): every image, stacked
        with Image.open(path) as long:
            assert long.width == 1080 and long.height <= LONG_MAX_PX
            heights.append(long.height)
            found += len(zxingcpp.read_barcodes(long))
    assert sum(heights) == sum(h for _, h in sizes) and found == len(pngs)


def test_same_figures_and_seal_as_the_pdf(village: Village) -> None:
    with village.db.begin() as s:
        doc = build_disclosure(s, village.org.id, PERIOD)
        phone = build_phone_images(s, village.org.id, PERIOD)
    assert [sheet.payload for sheet in doc.sheets] == [c.payload for c in phone.contents]  # the same seal
    in_pdf: collections.Counter[str] = collections.Counter()
    with pdfplumber.open(io.BytesIO(doc.pdf)) as pdf:
        for page in pdf.pages:
            for word in page.extract_words(x_tolerance=1.5):
                in_pdf.update(AMOUNT.findall(word["text"]))
    in_images: collections.Counter[str] = collections.Counter()
    with pdfplumber.open(io.BytesIO(phone_pdf(phone.images))) as pdf:  # what is rasterised
        assert len(pdf.pages) == len(phone.images)
        assert {(round(p.width), round(p.height)) for p in pdf.pages} == {(360, 780)}
        for page in pdf.pages:
            for word in page.extract_words(x_tolerance=1.5):
                in_images.update(AMOUNT.findall(word["text"]))
    assert sum(in_pdf.values()) > 50
    assert in_images == in_pdf  # every amount, as many times, as printed


def test_every_section_starts_a_new_image(village: Village) -> None:
    with village.db.begin() as s:
        doc = build_disclosure(s, village.org.id, PERIOD)
        phone = build_phone_images(s, village.org.id, PERIOD)
    titles = [t for sheet in doc.sheets for t in ("财务公开概况", *sheet.sections)]
    firsts = [i.section for n, i in enumerate(phone.images) if i.number == 1 or
              phone.images[n - 1].section != i.section or phone.images[n - 1].book_id != i.book_id]
    assert firsts == titles
    for image in phone.images:  # every image's content stays inside its page, above the QR's band
        ys = [float(op[2]) for op in image.ops if op[0] == "t"]  # type: ignore[arg-type]
        assert min(ys) >= PHONE.margin - 1 and max(ys) <= PHONE.height - PHONE.margin


def test_wide_tables_become_cards_with_every_value() -> None:
    from decimal import Decimal

    cols = tuple(Column(h, 20) for h in ("日期", "凭证号", "摘要", "收入", "支出", "往来单位"))
    block = TableBlock("收支明细", cols, [["10月5日", "记-0001", "发放报酬", None, Decimal("12200"), "两委干部"]],
                       totals_row=["", "", "合计", Decimal("0"), Decimal("12200"), ""], note="注")
    card = for_phone(block)
    assert isinstance(card, TableBlock) and len(card.columns) == 2 and len(cols) > MAX_COLUMNS
    assert [c.header for c in card.columns] == ["日期", "内容"]
    assert card.rows[0] == ["10月5日", "凭证号：记-0001　摘要：发放报酬　支出：12,200.00　往来单位：两委干部"]
    assert card.rows[1] == ["", "摘要：合计　收入：0.00　支出：12,200.00"] and card.bold_rows == {1}
    assert card.note == "注"
    narrow = TableBlock("t", cols[:MAX_COLUMNS], [["a", "b", "c", "d"]])
    assert for_phone(narrow) is narrow


def test_long_image_is_split_below_the_limit() -> None:
    images = [Image.new("L", (1080, 2340), 255) for _ in range(30)]
    parts = long_parts(images)
    assert [len(p) for p in parts] == [6, 6, 6, 6, 6] and sum(map(len, parts)) == 30
    assert all(sum(i.height for i in p) <= LONG_MAX_PX for p in parts)


def test_cli_writes_the_images(village: Village, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    out, db = tmp_path / "imgs", str(village.db.engine.url.database)
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--org", village.org.uscc, "--period", PERIOD,
                 "--book", _small_book(village).code, "--images", str(out)]) == 0
    pngs = sorted(out.glob("*张.png"))
    printed = capsys.readouterr().out
    assert "已生成手机图片" in printed and f"：{len(pngs)}张" in printed and len(pngs) >= 6
    longs = sorted(p.name for p in out.glob("*_长图*.png"))  # split at 16,000 px: 长图1, 长图2 …
    assert longs and all(n.startswith(pngs[0].name.replace("_第01张.png", "_长图")) for n in longs)
    with Image.open(pngs[-1]) as png:
        code = zxingcpp.read_barcodes(png)[0].text
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, "--payload", code]) == 0
    assert "相符" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "field"), [(["--images", "x.png"], "--images"), ([], "--out")])
def test_cli_refuses_bad_image_targets(village: Village, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, args: list[str], field: str) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    monkeypatch.chdir(tmp_path)
    db = str(village.db.engine.url.database)
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--org", village.org.uscc, "--period", PERIOD, *args]) != 0
    err = capsys.readouterr().err
    assert "图片" in err or "--images" in err, err
    assert not list(tmp_path.glob("*.png"))
