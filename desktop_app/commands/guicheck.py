"""``gui-check``: the program's window proven to start on this PC (scripts/bundle-check.sh runs
it in the PyInstaller bundle). Logs in as ``--user`` (password from SUNSHINE_LEDGER_PASSWORD or
a prompt), shows the main window, opens every page that user may see, and closes. Without a
screen (no DISPLAY on Linux) it runs offscreen. Nothing is written but what a login writes."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

PASSWORD_ENV = "SUNSHINE_LEDGER_PASSWORD"
PAINT_TIMEOUT_S = 120.0  # a frozen program's first start on a slow PC (a page import, the font)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("gui-check", cmd_gui_check, "界面自检：登录后打开主窗口和每个页面再退出（检查安装包用；没有显示器时离屏运行）")
    try:  # the CLI may give every command --user already
        p.add_argument("--user", help=f"登录的用户名（密码取自环境变量 {PASSWORD_ENV}，没有时提示输入）")
    except argparse.ArgumentError:
        pass


def _no_screen() -> bool:
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_gui_check(args: argparse.Namespace) -> int:
    from desktop_app.core.errors import UserError

    if not getattr(args, "user", None):
        raise UserError(f"请用 --user 指定登录的用户名（密码取自环境变量 {PASSWORD_ENV}）", field="--user")
    if not Path(args.db).is_file():
        raise UserError(f"数据库文件不存在：{args.db}", field="--db")
    if _no_screen():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop_app.app import make_application
    from desktop_app.cli import open_db
    from desktop_app.core.services.users import authenticate

    app: Any = make_application()
    db = open_db(args)
    errors: list[str] = []
    previous = sys.excepthook

    def keep(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        errors.append(f"{kind.__name__}: {exc}")  # a slot's exception reaches here, not the caller

    sys.excepthook = keep
    try:
        user = getattr(args, "acting", None)  # logged in by the CLI already (commands/auth.py)
        if user is None:
            password = os.environ.get(PASSWORD_ENV)
            if password is None:
                password = getpass.getpass(f"用户 {args.user} 的密码：")
            with db.begin(args.user) as s:
                user = authenticate(s, args.user, password)
        titles = _show_every_page(app, db, user)
    finally:
        sys.excepthook = previous
        db.close()
    if errors:
        raise UserError("界面自检未通过：" + "；".join(errors[:5]))
    print(f"界面自检通过：主窗口已显示（{app.platformName()}），用户 {args.user} 可用的 {len(titles)} 个页面均已打开："
          f"{'、'.join(titles)}")
    return 0


def _show_every_page(app: Any, db: Any, user: Any) -> list[str]:
    from desktop_app.core.errors import UserError
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.settings import WindowSettings

    with tempfile.TemporaryDirectory() as tmp:  # the user's window layout is not touched
        window = MainWindow(AppContext(db, user, WindowSettings(Path(tmp) / "window.json")))
        painted: list[bool] = []
        window.first_painted.connect(lambda: painted.append(True))
        window.show()
        deadline = time.monotonic() + PAINT_TIMEOUT_S
        while not painted:
            if time.monotonic() > deadline:
                raise UserError(f"主窗口 {PAINT_TIMEOUT_S:.0f} 秒内没有显示出来")
            app.processEvents()
            time.sleep(0.01)
        titles = []
        for i in range(window.tabs.count()):
            if not window.tabs.isTabEnabled(i):  # a page this user's roles may not use
                continue
            window.tabs.setCurrentIndex(i)
            if window.page_widget(i) is None:
                raise UserError(f"页面“{window.tabs.tabText(i)}”没有建立")
            app.processEvents()
            titles.append(window.tabs.tabText(i))
        window.close()
        app.processEvents()
        return titles
