"""Sealed documents: the QR code on a printed sheet names exactly what the sheet printed.

A document's *canonical content* is every printed text and figure, section by section: titles,
table titles, headers, each row's cells as printed strings, totals, notes. Its SHA-256 (over kind,
parameters and content) gives the check code ``SL2-XXXX-XXXX-XXXX-XXXX`` (80 bits, Crockford
base32), printed with a QR text that reads on a phone as what it is::

    阳光台账财务公开 · 李家庄村股份经济合作社 · 账套01 · 2025年11月 · 校验码 SL2-…

:func:`seal_document` stores the content (compressed) under that code; :func:`verify_payload`
finds the record, rebuilds the document from the books by its kind's registered function (the
same services the PDF uses) and, when the content differs, names the section and row. Kinds
register with :func:`register_kind` (disclosure: ``reports/disclosure/builder.py``; statements,
rosters, contract and asset sheets: ``reports/sealed_kinds.py``). Old ``SL1|…`` payloads still
verify against the period seal. Services never commit.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import importlib
import io
import json
import re
import uuid
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models.disclosure import SealedDocument
from db.types import utcnow
from desktop_app.core.errors import ValidationError
from desktop_app.core.money import format_amount

CODE_TAG = "SL2"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_RE = re.compile(r"SL2[-\s]?((?:[0-9A-Z]{4}[-\s]?){3}[0-9A-Z]{4})", re.IGNORECASE)
LEGACY_RE = re.compile(r"SL1\|[^|\s]+\|[^|\s]+\|[^|\s]+\|[0-9a-f]{64}")
MAX_DIFFERENCES = 30

Section = dict[str, Any]  # {"label": 封面/第1节/签字栏, "title": str, "items": [table or text]}


# ---------------------------------------------------------------------------------------------
# Canonical content

def cell_str(value: Any) -> str:
    """A cell as printed: amounts #,##0.00, dates YYYY-MM-DD, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def table_item(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
               totals: Sequence[Any] | None = None, note: str = "",
               fmt: Callable[[Any], str] = cell_str) -> dict[str, Any]:
    return {"table": title, "headers": [str(h) for h in headers], "rows": [[fmt(c) for c in r] for r in rows],
            "totals": None if totals is None else [fmt(c) for c in totals], "note": note}


def text_item(text: str) -> dict[str, Any]:
    return {"text": text}


def section(label: str, title: str, items: Sequence[Mapping[str, Any]]) -> Section:
    return {"label": label, "title": title, "items": [dict(i) for i in items]}


@dataclass(frozen=True)
class SealedContent:
    """What one printed document shows, and whose it is."""

    kind: str
    params: Mapping[str, Any]  # JSON values only: what rebuilds the document
    title: str  # after 阳光台账 on the phone: 财务公开 / 资产负债表 / 分红花名册 …
    owner: str  # 东湖村股份经济合作社 (the body whose document it is)
    period_label: str  # 2026年10月 / 截至2026年11月30日
    sections: tuple[Section, ...]
    book_code: str | None = None
    organisation_id: uuid.UUID | None = None
    book_id: uuid.UUID | None = None
    period_seal: str | None = None  # the month-close seal behind it (not part of the content hash)

    def canonical(self) -> str:
        return json.dumps({"kind": self.kind, "params": dict(self.params), "title": self.title, "owner": self.owner,
                           "book": self.book_code, "period": self.period_label, "sections": list(self.sections)},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    @property
    def code(self) -> str:
        return code_of(self.sha256)

    @property
    def payload(self) -> str:
        """The QR text: reads on a phone as what it is."""
        parts = [f"阳光台账{self.title}", self.owner]
        if self.book_code:
            parts.append(f"账套{self.book_code}")
        parts += [self.period_label, f"校验码 {self.code}"]
        return " · ".join(p for p in parts if p)


def code_of(sha256_hex: str) -> str:
    n = int(sha256_hex[:20], 16)  # 80 bits
    chars = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in range(15, -1, -1))
    return f"{CODE_TAG}-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}-{chars[12:16]}"


def _normal_code(raw: str) -> str:
    chars = re.sub(r"[-\s]", "", raw).upper().translate(str.maketrans("OIL", "011"))
    return f"{CODE_TAG}-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}-{chars[12:16]}"


def find_codes(text: str) -> list[str]:
    """Every SL2 check code in a text (a phone's scan, a page, PDF metadata), in order, once."""
    out: list[str] = []
    for m in CODE_RE.finditer(text or ""):
        code = _normal_code(m.group(1))
        if code not in out:
            out.append(code)
    return out


def _pack(sections: Sequence[Section]) -> str:
    raw = json.dumps(list(sections), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _unpack(text: str) -> list[Section]:
    return list(json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8")))


# ---------------------------------------------------------------------------------------------
# Kinds

@dataclass(frozen=True)
class DocumentKind:
    """``rebuild(session, params)`` makes the content from the books as they are now;
    ``period_problems(session, content_now, stored_seal)`` lists what the month-close seals say
    (reopened or tampered months), in Chinese; None when the kind has no period seal."""

    kind: str
    rebuild: Callable[[Session, Mapping[str, Any]], SealedContent]
    period_problems: Callable[[Session, SealedContent, str], list[str]] | None = None


_KINDS: dict[str, DocumentKind] = {}
_KIND_MODULES = ("desktop_app.reports.disclosure.builder", "desktop_app.reports.sealed_kinds",
                 "desktop_app.reports.ledger_docs", "desktop_app.reports.bank_seal",
                 "desktop_app.reports.district_seal")


def register_kind(kind: DocumentKind) -> DocumentKind:
    _KINDS[kind.kind] = kind
    return kind


def document_kind(kind: str) -> DocumentKind:
    if kind not in _KINDS:
        for name in _KIND_MODULES:
            importlib.import_module(name)
    if kind not in _KINDS:
        raise ValidationError(f"不认识的文档类型：{kind}", field="校验码")
    return _KINDS[kind]


# ---------------------------------------------------------------------------------------------
# Sealing

@dataclass(frozen=True)
class SealRow:
    code: str
    payload: str
    kind: str
    content_sha256: str
    new: bool  # False: the same document was sealed before


def seal_document(session: Session, kind: str, params: Mapping[str, Any] | None = None,
                  content: SealedContent | None = None, *, by: str | None = None) -> SealRow:
    """Record what a printed document shows (rebuilt from ``kind``/``params`` when no ``content``
    is given) and return its check code and QR text. The same content again records nothing."""
    if content is None:
        if params is None:
            raise ValueError("seal_document needs params or content")
        content = document_kind(kind).rebuild(session, params)
    elif content.kind != kind:
        raise ValueError(f"content of kind {content.kind!r} sealed as {kind!r}")
    digest, code = content.sha256, content.code
    row = session.execute(select(SealedDocument).where(SealedDocument.code == code)).scalar()
    if row is not None and not row.deleted and row.content_sha256 == digest:
        return SealRow(code, content.payload, kind, digest, False)
    if row is not None and row.content_sha256 != digest and not row.deleted:
        raise RuntimeError(f"check code collision on {code}")  # 2^-80: never, but never silently
    who = (by or str(session.info.get("actor") or "系统"))[:50]
    values = {"kind": kind, "params": json.dumps(dict(content.params), ensure_ascii=False, sort_keys=True),
              "organisation_id": content.organisation_id, "book_id": content.book_id,
              "label": content.payload[:200], "content_sha256": digest, "content": _pack(content.sections),
              "period_seal": content.period_seal, "generated_by": who, "generated_at": utcnow(), "deleted": False}
    if row is None:
        row = SealedDocument(code=code, times_generated=1, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    record_audit(session, AuditRecord("seal", "sealed_document", str(row.id), f"生成带校验码的文档 {content.payload}",
                                      None, {"code": code, "kind": kind, "content_sha256": digest,
                                             "period_seal": content.period_seal}))
    return SealRow(code, content.payload, kind, digest, True)


# ---------------------------------------------------------------------------------------------
# Verifying

@dataclass(frozen=True)
class DocumentCheck:
    ok: bool
    code: str  # the SL2 code or the SL1 payload checked
    message: str  # one line, Chinese: 相符：… / 不符：…
    label: str | None = None
    differences: tuple[str, ...] = field(default_factory=tuple)

    @property
    def lines(self) -> list[str]:
        return [self.message, *(f"    {d}" for d in self.differences)]


def verify_payload(session: Session, text: str) -> list[DocumentCheck]:
    """Check a phone's scan (the QR text, or just the code typed in). Every code found is checked;
    an old ``SL1|…`` payload is checked against the period seal. Bad input raises ValidationError."""
    codes = find_codes(text)
    legacy = LEGACY_RE.findall(text or "")
    if not codes and not legacy:
        raise ValidationError("没有识别出阳光台账的校验码（应含 SL2-XXXX-XXXX-XXXX-XXXX，或旧版 SL1|…）", field="校验码")
    return [verify_code(session, c) for c in codes] + [_verify_legacy(session, p) for p in legacy]


def verify_pdf(session: Session, data: bytes) -> list[DocumentCheck]:
    """Check every code a PDF made by this program carries (metadata, then page text)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        meta: Mapping[str, Any] = reader.metadata or {}
        texts = [str(meta.get("/Subject") or ""), str(meta.get("/Keywords") or "")]
        found = find_codes("\n".join(texts))
        if not found:
            texts += [p.extract_text() or "" for p in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise ValidationError(f"无法读取该 PDF 文件：{exc}", field="文件") from None
    joined = "\n".join(texts)
    if not find_codes(joined) and not LEGACY_RE.search(joined):
        raise ValidationError("该 PDF 中没有阳光台账的校验码（不是本程序生成的公开表或报表）", field="文件")
    return verify_payload(session, joined)


def verify_code(session: Session, code: str) -> DocumentCheck:
    row = session.execute(select(SealedDocument).where(SealedDocument.code == code,
                                                       SealedDocument.deleted.is_(False))).scalar()
    if row is None:
        return DocumentCheck(False, code, f"不符：本库中没有校验码 {code} 的文档记录（不是本库生成的，或校验码有误）")
    kind = document_kind(row.kind)
    params = json.loads(row.params)
    label = row.label
    try:
        now = kind.rebuild(session, params)
    except ValidationError as exc:  # e.g. the book was removed
        return DocumentCheck(False, code, f"不符：无法按当前账目重新生成该文档：{exc.message}", label)
    problems: list[str] = []
    if now.sha256 != row.content_sha256:
        problems += diff_sections(_unpack(row.content), list(now.sections))
        if not problems:
            problems.append("表头（单位、期间或标题）与当前账目不同")
    if kind.period_problems is not None:
        problems += kind.period_problems(session, now, row.period_seal or "")
    what = label.split(" · 校验码")[0]
    if problems:
        shown = problems[:MAX_DIFFERENCES]
        if len(problems) > len(shown):
            shown.append(f"……另有 {len(problems) - len(shown)} 处不同")
        return DocumentCheck(False, code, f"不符：{what} 与当前账目不一致（{len(problems)} 处）", label, tuple(shown))
    return DocumentCheck(True, code, f"相符：{what} 与当前账目一致（每个数字和文字均相同）", label)


def _verify_legacy(session: Session, payload: str) -> DocumentCheck:
    from desktop_app.core.services.disclosure import verify_sheet_payload

    result = verify_sheet_payload(session, payload)
    return DocumentCheck(result.ok, payload, result.message)


# ---------------------------------------------------------------------------------------------
# Differences, in Chinese: 第N节 <section> 表 <table> 第M行 <row>：<column> 印 X / 现 Y

def _row_label(row: Sequence[str], headers: Sequence[str] = ()) -> str:
    """What names a row: its first cell that is not a bare number; where that cell is a 乡镇 and
    the next one names something (the district's village lists), both: "东山街道 李家庄村…" —
    a 乡镇 alone named every village of it alike (and village names repeat across 乡镇)."""
    at = next((i for i, c in enumerate(row) if c and not c.isdigit()), None)
    if at is None:
        return row[0] if row else ""
    after = row[at + 1] if at + 1 < len(row) else ""
    if at < len(headers) and headers[at].startswith("乡镇") and any("\u4e00" <= ch <= "\u9fff" for ch in after):
        return f"{row[at]} {after}"
    return row[at]


def _cells_differ(where: str, headers: Sequence[str], was: Sequence[str], now: Sequence[str]) -> list[str]:
    out = []
    for i in range(max(len(was), len(now))):
        a = was[i] if i < len(was) else ""
        b = now[i] if i < len(now) else ""
        if a != b:
            col = headers[i] if i < len(headers) else f"第{i + 1}列"
            out.append(f"{where}：{col} 印 {a or '（空）'} / 现 {b or '（空）'}")
    return out


def _diff_table(where: str, was: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    where = f"{where} 表 {was['table']}"
    if was["headers"] != now["headers"]:
        out.append(f"{where} 表头：印 {'、'.join(was['headers'])} / 现 {'、'.join(now['headers'])}")
    headers = now["headers"]
    a_rows, b_rows = was["rows"], now["rows"]
    a_labels = [_row_label(r, was["headers"]) for r in a_rows]
    b_labels = [_row_label(r, headers) for r in b_rows]
    matcher = difflib.SequenceMatcher(a=a_labels, b=b_labels, autojunk=False)
    gone: list[int] = []
    came: list[int] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if a_rows[i] != b_rows[j]:
                    label = a_labels[i]
                    if label != b_labels[j]:
                        label = f"{label}（现 {b_labels[j]}）"
                    out += _cells_differ(f"{where} 第{i + 1}行 {label}", headers, a_rows[i], b_rows[j])
            continue
        gone += range(i1, i2)
        came += range(j1, j2)
    for i in list(gone):  # a row that only moved (a sorted list: another row's change moved it) is no new row
        moved = next((j for j in came if b_labels[j] == a_labels[i]), None)
        if moved is None:
            continue
        gone.remove(i)
        came.remove(moved)
        where_row = f"{where} 第{i + 1}行 {a_labels[i]}"
        out += _cells_differ(where_row, headers, a_rows[i], b_rows[moved]) or [
            f"{where_row}：现为第{moved + 1}行（位次变动）"]
    for i in gone:
        out.append(f"{where} 第{i + 1}行 {a_labels[i]}：印有此行 / 现无（{'，'.join(a_rows[i])}）")
    for j in came:
        out.append(f"{where} 现第{j + 1}行 {b_labels[j]}：印无此行 / 现有（{'，'.join(b_rows[j])}）")
    if was.get("totals") != now.get("totals"):
        out += _cells_differ(f"{where} 合计行", headers, was.get("totals") or [], now.get("totals") or [])
    if was.get("note", "") != now.get("note", ""):
        out.append(f"{where} 附注：印 {was.get('note') or '（空）'} / 现 {now.get('note') or '（空）'}")
    return out


def _key(item: Mapping[str, Any]) -> str:
    return f"表:{item['table']}" if "table" in item else "文字"


def _diff_items(where: str, was: Sequence[Mapping[str, Any]], now: Sequence[Mapping[str, Any]]) -> list[str]:
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=[_key(i) for i in was], b=[_key(i) for i in now], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            for a, b in zip(was[i1:i2], now[j1:j2], strict=True):
                if a == b:
                    continue
                if "table" in a and "table" in b and a["table"] == b["table"]:
                    out += _diff_table(where, a, b)
                else:
                    out.append(f"{where} {_describe(a)}：印 {_brief(a)} / 现 {_brief(b)}")
            continue
        out += [f"{where} {_describe(a)}：印有 / 现无（{_brief(a)}）" for a in was[i1:i2]]
        out += [f"{where} {_describe(b)}：印无 / 现有（{_brief(b)}）" for b in now[j1:j2]]
    return out


def _describe(item: Mapping[str, Any]) -> str:
    return f"表 {item['table']}" if "table" in item else "文字"


def _brief(item: Mapping[str, Any]) -> str:
    if "table" in item:
        return f"{len(item['rows'])}行"
    text = str(item["text"])
    return text if len(text) <= 80 else text[:80] + "…"


def diff_sections(was: Sequence[Section], now: Sequence[Section]) -> list[str]:
    """What differs between the printed content and the content rebuilt now, one line each."""
    out: list[str] = []
    # A section is its label and title: a report's 表头 and 正文 share the report's title.
    by_key = {(s["label"], s["title"]): s for s in now}
    seen: set[tuple[str, str]] = set()
    for s in was:
        where = f"{s['label']} {s['title']}"
        other = by_key.get((s["label"], s["title"]))
        if other is None:
            out.append(f"{where}：印有此节 / 现无")
            continue
        seen.add((s["label"], s["title"]))
        out += _diff_items(where, s["items"], other["items"])
    out += [f"{s['label']} {s['title']}：印无此节 / 现有" for s in now if (s["label"], s["title"]) not in seen]
    return out


__all__ = [
    "CODE_TAG", "DocumentCheck", "DocumentKind", "SealRow", "SealedContent", "Section", "cell_str", "code_of",
    "diff_sections", "document_kind", "find_codes", "register_kind", "seal_document", "section", "table_item",
    "text_item", "verify_code", "verify_payload", "verify_pdf",
]
