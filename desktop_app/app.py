"""GUI bootstrap: paths, logging, QApplication in Chinese with the bundled font, open the
database (first-run choice if there is none), log in, show the main window."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_app import APP_NAME, paths


def setup_logging(data: Path) -> Path:
    log_file = paths.log_dir(data) / "sunshine-ledger.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_file


def make_application(argv: Sequence[str] = ()) -> object:
    """QApplication with Qt's Chinese translations and the bundled CJK font."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("SunshineLedger")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    font_id = QFontDatabase.addApplicationFont(str(paths.font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        font = QFont(families[0])
        font.setPointSize(10)
        app.setFont(font)
    return app


def open_or_create(db_path: Path) -> object | None:
    """Open the database, offering the first-run choice when it does not exist yet."""
    from db.migrate import open_database
    from desktop_app.core.demo import build_demo
    from desktop_app.core.services.users import create_user
    from desktop_app.ui.login import FirstRunDialog

    if not db_path.exists():
        dialog = FirstRunDialog(db_path)
        if not dialog.exec() or dialog.choice is None:
            return None
        db_path = dialog.path
        if dialog.choice == FirstRunDialog.DEMO and not db_path.exists():
            db = open_database(db_path)
            with db.begin("demo") as s:
                build_demo(s)
            return db
        if dialog.choice == FirstRunDialog.NEW:
            db = open_database(db_path)
            with db.begin("init") as s:
                create_user(s, username="admin", display_name="系统管理员", password="admin123", roles=["sysadmin"])
            return db
    return open_database(db_path, create=False, backup_dir=paths.backup_dir(db_path.parent))


def _warm_up_in_background() -> None:
    """Import the pages (reportlab, charts …) and load the pinyin dictionary in a worker
    thread while the login dialog waits for the user, so the main window opens at once.
    Only modules are imported there; no widget is created off the GUI thread."""
    import threading

    def work() -> None:
        from desktop_app.core.textsearch import warm_up
        from desktop_app.ui.pages import discover_pages

        discover_pages()
        warm_up()

    threading.Thread(target=work, name="warm-up", daemon=True).start()


def run_gui(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop_app")
    parser.add_argument("--data-dir")
    parser.add_argument("--db")
    parser.add_argument("--user", default="", help="预填的用户名")
    args, qt_args = parser.parse_known_args(list(argv))
    data = paths.data_dir(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    log_file = setup_logging(data)
    app = make_application(qt_args)

    from desktop_app.core.errors import UserError
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.errors import install_excepthook, show_user_error
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.settings import WindowSettings

    install_excepthook(log_file)
    db_path = Path(args.db) if args.db else paths.default_db_path(data)
    try:
        db = open_or_create(db_path)
    except UserError as exc:
        show_user_error(None, exc)
        return 1
    if db is None:
        return 0
    _warm_up_in_background()  # while the user types the password
    login = LoginDialog(db, username=args.user)  # type: ignore[arg-type]
    if not login.exec() or login.user is None:
        return 0
    ctx = AppContext(db, login.user, WindowSettings(paths.settings_path(data)))  # type: ignore[arg-type]
    window = MainWindow(ctx)
    window.show()
    logging.getLogger(__name__).info("started, db=%s user=%s", db_path, login.user.username)
    return int(app.exec())  # type: ignore[attr-defined]
