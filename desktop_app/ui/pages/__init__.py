"""Pages of the main window. Each module here exposes ``PAGE = PageSpec(...)``; the shell
discovers them, so adding a ledger means adding a module, not editing the shell.

``site`` says which kind of database a page is for: a township's (the books, the default), the
district's (``district_*`` pages: the townships' data read-only), or both (U盘同步, 用户管理)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from PySide6.QtWidgets import QWidget

from desktop_app.discovery import import_submodules
from desktop_app.ui.context import AppContext


@dataclass(frozen=True)
class PageSpec:
    id: str
    title: str  # 中文, shown on the tab
    order: int  # position among the tabs
    factory: Callable[[AppContext], QWidget]
    roles: tuple[str, ...] = ()  # empty: everybody; else only users holding one of these roles
    site: Literal["township", "district", "both"] = "township"  # the kind of database it is for


def discover_pages() -> list[PageSpec]:
    specs = []
    for module in import_submodules(sys.modules[__name__]):
        spec = getattr(module, "PAGE", None)
        if isinstance(spec, PageSpec):
            specs.append(spec)
    return sorted(specs, key=lambda s: s.order)


def visible_pages(user_roles: tuple[str, ...], level: str = "township") -> list[PageSpec]:
    """The pages this user sees on a database of ``level`` ('township' or 'district')."""
    return [p for p in discover_pages()
            if p.site in (level, "both") and (not p.roles or any(r in user_roles for r in p.roles))]
