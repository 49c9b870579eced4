"""CLI commands of each area. A module here defines ``register(sub, add)``; ``cli.py``
discovers them, so an area adds its commands without editing the shared parser.

``add(name, handler, help_text)`` creates a subcommand that already has ``--db``; the
handler gets the parsed namespace and returns the exit status.

``export KIND`` and ``import KIND FILE`` are one command each for the whole program
(DESIGN §6); an area contributes kinds with :func:`export_kind` / :func:`import_kind`
from its ``register`` and ``cli.py`` builds the two commands once all areas are known.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.core.rows import BookRow, OrgRow

KindHandler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Kind:
    name: str  # English, as typed on the command line
    label: str  # 中文, for --help
    handler: KindHandler
    all_orgs: bool = False  # accepts --all instead of --org


EXPORTS: dict[str, Kind] = {}
IMPORTS: dict[str, Kind] = {}


def export_kind(name: str, label: str, handler: KindHandler, *, all_orgs: bool = False) -> None:
    EXPORTS[name] = Kind(name, label, handler, all_orgs)


def import_kind(name: str, label: str, handler: KindHandler) -> None:
    IMPORTS[name] = Kind(name, label, handler)


def as_of_date(args: argparse.Namespace) -> date:
    """``--as-of YYYY-MM-DD`` (today when not given), for every command that judges by a date."""
    from desktop_app.core.errors import ValidationError

    text = getattr(args, "as_of", None)
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"日期“{text}”格式应为 YYYY-MM-DD", field="--as-of") from None


def resolve_book(session: Session, org: str | OrgRow, wanted: str | None) -> BookRow:
    """The one ``--book`` rule of every command: ``org`` (USCC or 区划代码, or the organisation
    already found) and ``--book`` (账套编号 or id). Without ``--book`` an organisation's only book
    is meant; with several the command refuses and lists them (it never picks one silently)."""
    from desktop_app.core.errors import NotFoundError, ValidationError
    from desktop_app.core.services.orgs import find_organisation, list_books

    found = find_organisation(session, org) if isinstance(org, str) else org
    books = list_books(session, found.id)
    if not books:
        raise NotFoundError(f"{found.name} 还没有账套", field="--book")
    listing = "；".join(f"{b.code} {b.name}" for b in books)
    if wanted:
        for b in books:
            if wanted in (b.code, str(b.id)):
                return b
        raise NotFoundError(f"{found.name} 没有编号为 {wanted} 的账套，它的账套有：{listing}", field="--book")
    if len(books) > 1:
        raise ValidationError(f"{found.name} 有多个账套，请用 --book 指定：{listing}", field="--book")
    return books[0]
