"""财务公开 CLI: ``disclose``, ``verify-sheet``, ``disclosure-posted``, ``disclosure-missing``.

``disclose --org CODE --period P --out FILE.pdf`` writes one organisation's sheets (every book);
``disclose --all --period P --out DIR`` writes one file per village into DIR, one transaction per
village (a village that fails is reported and the others are still written; exit status 1).
``--images DIR`` (with or without ``--out``) writes the sheets as phone images into DIR: one PNG per
section (1080 px wide) and the 长图 of them, each carrying the sheet's QR seal; a village with two
账套 gets two series, each named and numbered by its book.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.reports.disclosure.files import village_file_name, write_atomically


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"日期“{text}”格式应为 YYYY-MM-DD", field="--date") from None


def cmd_disclose(args: argparse.Namespace) -> int:
    from desktop_app.cli import check_out_path, open_db
    from desktop_app.commands.auth import cli_user
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.core.services.orgs import find_organisation, list_books, list_organisations
    from desktop_app.reports.disclosure.builder import build_disclosure, record_disclosure

    if bool(args.org) == bool(args.all):
        raise UserError("请用 --org 指定一个组织，或用 --all 生成全部村", field="--org")
    if not args.out and not args.images:
        raise UserError("请用 --out 指定 PDF 输出位置，或用 --images 指定手机图片的文件夹", field="--out")
    period = parse_disclosure_period(args.period)
    posted_on = _date(args.date)
    out = Path(args.out) if args.out else None
    if out is not None and args.org and out.suffix.lower() != ".pdf":
        raise UserError("输出文件应以 .pdf 结尾", field="--out")
    if out is not None and args.all and out.suffix.lower() == ".pdf":
        raise UserError("使用 --all 时 --out 应为文件夹（每个村一个文件）", field="--out")
    images = Path(args.images) if args.images else None
    if images is not None and images.suffix.lower() in (".png", ".pdf"):
        raise UserError("--images 应为文件夹（每节一张图片，另有一张长图）", field="--images")
    for target, folder in ((out, bool(args.all)), (images, True)):
        if target is not None:
            check_out_path(target, folder=folder)  # before anything is recorded
    db = open_db(args)
    failures = 0
    try:
        with db.read("cli") as s:
            if args.org:
                orgs = [find_organisation(s, args.org)]
            else:
                orgs = [o for o in list_organisations(s) if o.level in ("村", "组")]
            book_filter: dict[object, list[Any]] = {}
            if args.book and args.org:
                books = [b for b in list_books(s, orgs[0].id) if args.book in (b.code, str(b.id))]
                if not books:
                    raise UserError(f"{orgs[0].name} 没有编号为 {args.book} 的账套", field="--book")
                book_filter[orgs[0].id] = [b.id for b in books]
        for org in orgs:
            done: list[str] = []
            try:
                # built under a read snapshot (no write lock while the PDF and images are made), then
                # one short write: the record (checked against the data again) and the files
                doc = phone = None
                with db.read("cli") as s:
                    user = cli_user(s)  # any role that may see the village prints its sheets
                    if out is not None:
                        doc = build_disclosure(s, org.id, period, a3=args.a3, book_ids=book_filter.get(org.id),
                                               posted_on=posted_on, user=user)
                    if images is not None:
                        phone = _build_images(s, org, period, book_filter.get(org.id), posted_on)
                with db.begin("cli") as s:  # the record is committed only once the files are there
                    if doc is not None:
                        target = out if args.org else out / village_file_name(org.region_code, org.name, period.code)
                        record_disclosure(s, doc, user=cli_user(s))
                        write_atomically(target, doc.pdf)
                        done.append(f"已生成：{target}（{doc.pages}页，{len(doc.sheets)}个账套）")
                    if phone is not None and images is not None:
                        done.append(_write_images(s, org, period, images, phone))
                print("\n".join(done))
            except UserError as exc:
                if args.org:
                    raise
                failures += 1
                print(f"未生成：{org.name}：{exc}")
    finally:
        db.close()
    if args.all:
        print(f"共 {len(orgs)} 个村，成功 {len(orgs) - failures} 个，失败 {failures} 个")
    return 1 if failures else 0


def _build_images(s: Any, org: Any, period: Any, book_ids: list[Any] | None, posted_on: date | None) -> Any:
    from desktop_app.reports.disclosure.phone import build_phone_images

    return build_phone_images(s, org.id, period, book_ids=book_ids, posted_on=posted_on)


def _write_images(s: Any, org: Any, period: Any, folder: Path, phone: Any) -> str:
    """Seal what the images show (in the write transaction ``s``) and write them into ``folder``. A
    seal records the content as shown, whenever it was read: no check against the data is needed."""
    from desktop_app.commands.auth import cli_user
    from desktop_app.reports.disclosure.builder import seal_sheets
    from desktop_app.reports.disclosure.phone_render import image_stem, write_images

    seal_sheets(s, phone.contents, user=cli_user(s))
    _, longs = write_images(phone, folder)
    lines = [f"已生成手机图片：{folder}"]
    for book in dict.fromkeys(i.book_name for i in phone.images):  # each book is its own series
        stem = image_stem(org.region_code, book, period.code)
        count = sum(1 for i in phone.images if i.book_name == book)
        mine = "、".join(p.name for p in longs if p.name.startswith(stem + "_"))
        lines.append(f"  {book}：{count}张，另有长图 {mine}")
    return "\n".join(lines)


def cmd_verify_sheet(args: argparse.Namespace) -> int:
    """0 相符 (every code found), 3 不符 (with the differences), 1 bad input (no code, unreadable file)."""
    from desktop_app.cli import cli_session
    from desktop_app.reports.sealing import verify_payload, verify_pdf

    if bool(args.file) == bool(args.payload):
        raise UserError("请给出公开表 PDF 文件，或用 --payload 给出扫描到的二维码内容（二者选一）", field="--payload")
    data = None
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise UserError(f"找不到文件：{path}", field="文件")
        data = path.read_bytes()
    with cli_session(args, "cli") as s:
        checks = verify_pdf(s, data) if data is not None else verify_payload(s, args.payload)
    for check in checks:
        for line in check.lines:
            print(line)
    return 0 if all(c.ok for c in checks) else 3


def cmd_posted(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.commands.auth import cli_user
    from desktop_app.core.services.disclosure import mark_disclosure_posted
    from desktop_app.core.services.orgs import find_organisation, list_books

    posted_on = _date(args.date) or date.today()
    with cli_session(args, "cli") as s:
        org = find_organisation(s, args.org)
        for b in list_books(s, org.id):
            if args.book and args.book not in (b.code, str(b.id)):
                continue
            r = mark_disclosure_posted(s, book_id=b.id, period_code=args.period, posted_on=posted_on, user=cli_user(s))
            print(f"已登记张贴：{r.book_name} {r.period_code}，{r.posted_on} 至 {r.posted_until}")
    return 0


def cmd_missing(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.core.services.disclosure import list_undisclosed, parse_disclosure_period

    period = parse_disclosure_period(args.period)
    with cli_session(args, "cli") as s:
        rows = list_undisclosed(s, period.code)
    for r in rows:
        print(f"{r.uscc}  {r.book_name}  {r.status}")
    print(f"{period.label}：{len(rows)} 个账套尚未公开（应于{period.due_date.month}月{period.due_date.day}日前公开）")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("disclose", cmd_disclose, "生成财务公开表（PDF，供公开栏张贴）")
    p.add_argument("--org", help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--all", action="store_true", help="为全部村各生成一个文件（--out 为文件夹）")
    p.add_argument("--book", help="只生成该账套（编号或ID；默认为组织的全部账套）")
    p.add_argument("--period", required=True, help="期间：2026-10（月）、2026-Q3（季度）或 2026（年度）")
    p.add_argument("--out", help="输出 PDF 文件（--all 时为文件夹）")
    p.add_argument("--images", metavar="文件夹",
                   help="同时（或只）生成手机图片到此文件夹：每个账套每节一张竖版图片（宽1080像素，带二维码），另有长图")
    p.add_argument("--a3", action="store_true", help="A3 横向大字版（公开栏）")
    p.add_argument("--posted-on", "--date", dest="date",
                   help="印在表上的公开日期 YYYY-MM-DD（默认：已登记的张贴日期，没有则留空，张贴时手写）")
    p = add("verify-sheet", cmd_verify_sheet, "核对张贴的公开表或报表（PDF 文件或二维码内容）与当前账目是否一致")
    p.add_argument("file", nargs="?", help="本程序生成的 PDF（读取其中的校验码）")
    p.add_argument("--payload", help="手机扫描到的二维码内容，或页脚的校验码 SL2-XXXX-XXXX-XXXX-XXXX")
    p = add("disclosure-posted", cmd_posted, "登记财务公开表已在公开栏张贴")
    p.add_argument("--org", required=True, help="组织的统一社会信用代码或12位区划代码")
    p.add_argument("--book", help="账套编号或ID（默认为全部账套）")
    p.add_argument("--period", required=True, help="期间：2026-10、2026-Q3 或 2026")
    p.add_argument("--date", help="张贴日期 YYYY-MM-DD（默认今天）")
    p = add("disclosure-missing", cmd_missing, "列出尚未公开某期间的村（账套）")
    p.add_argument("--period", required=True, help="期间：2026-10、2026-Q3 或 2026")
