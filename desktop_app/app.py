"""GUI bootstrap: paths, logging, QApplication in Chinese with the bundled font, the login
dialog at once while the database opens behind it (first-run choice if there is none), then
the main window."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast

from desktop_app import APP_NAME, paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from db.engine import Database
    from desktop_app.core.progress import Progress
    from desktop_app.core.rows import UserRow
    from desktop_app.dblock import DatabaseInUse, DatabaseLock
    from desktop_app.ui.opening import DatabaseOpening


LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 5


def rotate_log(log_file: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> None:
    """At start-up, a log over ``max_bytes`` becomes ``.1`` (``.1`` becomes ``.2`` …, the oldest
    dropped). Rotating here rather than with ``logging.handlers`` keeps that module's imports
    (socket, pickle, queue) off the path to the first window; a day's session stays small."""
    if not log_file.exists() or log_file.stat().st_size <= max_bytes:
        return
    for n in range(backups - 1, 0, -1):
        older = log_file.with_name(f"{log_file.name}.{n}")
        if older.exists():
            older.replace(log_file.with_name(f"{log_file.name}.{n + 1}"))
    log_file.replace(log_file.with_name(f"{log_file.name}.1"))


def setup_logging(data: Path) -> Path:
    log_file = paths.log_dir(data) / "sunshine-ledger.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    rotate_log(log_file)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_file


def make_application(argv: Sequence[str] = (), *, complete: bool = True) -> object:
    """QApplication in Chinese (Qt's catalogue) with the bundled CJK font; ``complete``: with
    ``finish_application`` too (``run_gui`` finishes it once its first window has painted)."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    app = cast("QApplication", QApplication.instance() or QApplication([sys.argv[0], *argv]))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("SunshineLedger")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):  # the PyPI wheels ship only the older combined catalogue
        if app.property("qt_catalogue") is not None:
            break  # once: installed again, it would be asked before the words it lacks (finish_application)
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            app.setProperty("qt_catalogue", translator)
            break
    font_id = QFontDatabase.addApplicationFont(str(paths.font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        font = QFont(families[0])
        font.setPointSize(10)
        app.setFont(font)
    if complete:
        finish_application(app)
    return app


def finish_application(app: QApplication) -> None:
    """What the login dialog does not use (once; later calls do nothing): the Qt words the
    catalogue lacks (the file dialog's), and the application's event filters: an Alt+key no
    shortcut claims never types into a field (issue #17), a file dialog never drops the window's
    database locks. The word list and each filter are Python that every translation look-up or
    every event of every object goes through, and the filters' modules import the form widgets
    and the file dialog's helpers: before the login dialog's first paint they cost more than the
    dialog itself (issue #18). So ``run_gui`` finishes the application just after that paint
    (``LoginDialog.first_painted``), or before the first-run choice, whose 打开 shows a file
    dialog. No key reaches a field before its window has painted."""
    if app.property("missing_qt_words") is None:
        from desktop_app.ui.qt_zh import MissingQtWords

        words = MissingQtWords(app)  # installed after the catalogue, so asked first
        app.installTranslator(words)
        app.setProperty("missing_qt_words", words)  # keep the Python override alive with the application
    from desktop_app.ui.file_dialogs import install_file_dialog_guard
    from desktop_app.ui.widgets.keys import install_alt_guard

    install_alt_guard(app)
    install_file_dialog_guard(app)


def prepare_opening(db_path: Path, *, demo: bool = False) -> DatabaseOpening | None:
    """How to open the database in the background (the login dialog starts it once it has
    painted), offering the first-run choice when there is no database yet; None when the user
    closes that choice. ``demo``: a missing database is the demo, built behind the login dialog
    with its progress shown there (``scripts/run.sh`` on its first start)."""
    from desktop_app.ui.login import DEMO_HINT, FirstRunDialog
    from desktop_app.ui.opening import DatabaseOpening

    status = "正在打开数据库…"
    if not db_path.exists():
        if demo:
            choice = FirstRunDialog.DEMO
        else:
            from PySide6.QtWidgets import QApplication

            finish_application(cast("QApplication", QApplication.instance()))  # 打开已有数据库 shows a file dialog
            dialog = FirstRunDialog(db_path)
            if not dialog.exec() or dialog.choice is None:
                return None
            db_path, choice = dialog.path, dialog.choice
        if choice == FirstRunDialog.DEMO and not db_path.exists():
            return DatabaseOpening(db_path, lambda progress: _create(db_path, demo=True, progress=progress),
                                   status="正在生成示例数据库…", username="kuaiji", hint=DEMO_HINT)
        if choice == FirstRunDialog.NEW:
            from desktop_app.core.services.auth import new_initial_password

            password = new_initial_password()
            return DatabaseOpening(db_path, lambda progress: _create(db_path, demo=False, progress=progress,
                                                                      password=password),
                                   status="正在新建数据库…", username="admin",
                                   hint=f"新数据库的管理员：admin，初始密码 {password}（只显示这一次，请记下；"
                                        "首次登录后须改为自己的密码）。登录后请在“用户管理”中添加用户")
    return DatabaseOpening(db_path, lambda _progress: _open_existing(db_path), status=status)


def _create(db_path: Path, *, demo: bool, progress: Progress | None = None, password: str = "") -> Database:
    """A new database file (the demo, or empty with its administrator). If making it fails or
    is cancelled (the login dialog closed meanwhile), the half-made file is removed: the next
    start would otherwise open a database without users."""
    if progress is not None:
        progress.report(0, 0, "正在建立数据库…")
    import desktop_app.sync  # noqa: F401 (registers the district database's refusal of local edits)
    from db.migrate import open_database

    db = None
    try:
        db = open_database(db_path)
        if demo:
            from desktop_app.core.demo import build_demo

            with db.begin("demo") as s:
                build_demo(s, progress=progress)
        else:
            from desktop_app.core.services.users import create_user

            with db.begin("init") as s:
                create_user(s, username="admin", display_name="系统管理员", password=password, roles=["sysadmin"],
                            must_change_password=True)
    except BaseException:
        if db is not None:
            db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        raise
    return db


def _open_existing(db_path: Path) -> Database:
    import desktop_app.sync  # noqa: F401 (registers the district database's refusal of local edits)
    from db.migrate import open_database

    return open_database(db_path, create=False, backup_dir=paths.backup_dir(db_path.parent))


def _start_daily_backup(db: Database) -> threading.Thread | None:
    """每日首次启动: one checked copy a day (issue #19), made behind the main window so that opening
    stays free of work proportional to the file; SQLite's backup API reads a consistent snapshot."""
    if not db.is_file:
        return None
    from desktop_app.core.services.backups import daily_quietly

    thread = threading.Thread(target=daily_quietly, args=(db.path,), name="daily-backup")
    thread.start()
    return thread


def parse_gui_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """``--data-dir DIR``, ``--db FILE|URL``, ``--user NAME`` (预填的用户名; each also as
    ``--db=FILE``) and ``--demo`` (a missing database is the demo, built behind the login dialog);
    the rest is Qt's (``-platform offscreen`` …). By hand rather than with an ``ArgumentParser``,
    whose first use looks its own words up in gettext's catalogues: a few ms before the first
    window for a help text never shown (``--help`` is the CLI's, see ``__main__.wants_gui``)."""
    from desktop_app.__main__ import GUI_FLAGS, GUI_OPTIONS

    args = argparse.Namespace(data_dir=None, db=None, user="", demo=False)
    qt_args: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        token = items[i]
        name, equals, value = token.partition("=")
        if token in GUI_FLAGS:
            setattr(args, token[2:], True)
        elif name in GUI_OPTIONS:
            if not equals:
                if i + 1 == len(items):
                    sys.stderr.write(f"python -m desktop_app：选项 {name} 后面缺少值\n")
                    raise SystemExit(2)
                i += 1
                value = items[i]
            setattr(args, name[2:].replace("-", "_"), value)
        else:
            qt_args.append(token)
        i += 1
    return args, qt_args


def _crash_report_stand_in(log_file: Path) -> Callable[[], None]:
    """Uncaught exceptions go to the log and the crash dialog (``ui.errors.install_excepthook``),
    from the start; but that module (the message boxes, datetime) is imported only once the login
    dialog has painted (the returned ``install``), or at a crash before that: until then a
    stand-in hook installs the real one and hands it the exception. No thread of ours runs before
    the first paint, so ``install`` runs on the GUI thread (the reporter lives there)."""
    original = (sys.excepthook, threading.excepthook)
    installed: list[bool] = []

    def install() -> None:
        if installed:
            return
        installed.append(True)
        if sys.excepthook is stand_in:
            sys.excepthook = original[0]
        if threading.excepthook is thread_stand_in:
            threading.excepthook = original[1]
        from desktop_app.ui.errors import install_excepthook

        install_excepthook(log_file)

    def stand_in(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        install()
        sys.excepthook(exc_type, exc, tb)

    def thread_stand_in(args: threading.ExceptHookArgs) -> None:
        install()
        threading.excepthook(args)

    sys.excepthook = stand_in
    threading.excepthook = thread_stand_in
    return install


def run_gui(argv: Sequence[str] = ()) -> int:
    args, qt_args = parse_gui_args(argv)
    data = paths.data_dir(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    log_file = setup_logging(data)
    app = make_application(qt_args, complete=False)  # finished once the first window has painted
    install_crash_report = _crash_report_stand_in(log_file)

    def after_first_paint() -> None:
        """What the login dialog does not need before it paints: run just after its first paint."""
        install_crash_report()
        finish_application(app)  # type: ignore[arg-type]

    if args.db and _names_server(args.db):  # a district database on PostgreSQL: no file to lock
        return _run_server(app, args, data, args.db, after_first_paint)
    db_path = Path(args.db) if args.db else paths.default_db_path(data)
    from desktop_app.dblock import DatabaseInUse, DatabaseLock

    lock = DatabaseLock(db_path)
    try:  # a second window on this database is refused before anything is opened
        lock.acquire()
    except DatabaseInUse as exc:
        _refuse_in_use(exc)
        return 1
    try:
        return _run_locked(app, args, data, after_first_paint, db_path, lock)
    except DatabaseInUse as exc:  # the file chosen at the first-run choice is open elsewhere
        _refuse_in_use(exc)
        return 1
    finally:
        lock.release()


def _refuse_in_use(exc: DatabaseInUse) -> None:
    from desktop_app.ui.errors import show_user_error

    show_user_error(None, exc, title="数据库已打开")


def _names_server(target: str) -> bool:
    """``db.engine.is_database_url``, imported only for a target that may be a URL: that module
    imports SQLAlchemy and every model (about a second), which the opening thread does behind the
    login dialog; a file path must not pay for it before the dialog paints."""
    if "://" not in target:
        return False
    from db.engine import is_database_url

    return is_database_url(target)


def _run_locked(app: object, args: argparse.Namespace, data: Path, after_first_paint: Callable[[], None],
                db_path: Path, lock: DatabaseLock) -> int:
    opening = prepare_opening(db_path, demo=args.demo)
    if opening is None:
        return 0
    if opening.path != db_path:  # the first-run choice opened another file
        lock.move_to(opening.path)
    return _login_loop(app, args, data, opening, lock, after_first_paint)


def _login_loop(app: object, args: argparse.Namespace, data: Path, opening: DatabaseOpening,
                lock: DatabaseLock | None, after_first_paint: Callable[[], None]) -> int:
    from desktop_app.ui.login import LoginDialog

    # The login dialog paints at once; the database opens (and the pages import) behind it.
    login = LoginDialog(opening, username=args.user)
    login.first_painted.connect(after_first_paint)
    accepted = login.exec()
    after_first_paint()  # (done already, unless the dialog never painted)
    opening.start()  # (the same)
    from desktop_app.core.errors import UserError
    from desktop_app.core.progress import Cancelled
    from desktop_app.ui.errors import show_user_error

    if accepted and login.user is not None:
        opening.hold()  # the pinyin dictionary waits until the main window has painted
        opening.wait_ready()
    else:
        opening.progress.cancel()  # a new database still being built is given up (and removed)
        opening.wait()  # never leave while a migration or the demo is still being written
    if opening.error is not None:
        if isinstance(opening.error, Cancelled):
            return 0
        if isinstance(opening.error, UserError):
            show_user_error(None, opening.error)
            return 1
        raise opening.error
    if not accepted or login.user is None or opening.db is None:
        return 0
    backup = _start_daily_backup(opening.db)
    try:
        # 注销/切换用户 ends a window's session and shows the login again, as often as wanted.
        while login.user is not None:
            if not login.must_change_password or _changed_password(opening.db, login.user):
                if lock is not None:
                    lock.set_user(f"{login.user.display_name}（{login.user.username}）")
                if not _run_session(app, opening, login.user, data):
                    break
            login = LoginDialog(opening)
            if not login.exec():
                break
        return 0
    finally:
        # What the warm-up does after the first paint (the pinyin dictionary) ends before the
        # interpreter does: a thread cut off during shutdown could abort the process.
        opening.wait()
        if backup is not None:
            backup.join()


def _run_server(app: object, args: argparse.Namespace, data: Path, url: str,
                after_first_paint: Callable[[], None]) -> int:
    """``--db postgresql+psycopg://…``: the URL is passed through to ``open_database`` (its data
    folder under ours); the login names the database. Several officers may use a server at once."""
    from db.engine import server_work_dir
    from desktop_app.ui.opening import DatabaseOpening

    work_dir = server_work_dir(data, url)

    def open_server(_progress: Progress) -> Database:
        import desktop_app.sync  # noqa: F401 (registers the district database's refusal of local edits)
        from db.migrate import open_database

        return open_database(url, create=False, work_dir=work_dir)

    opening = DatabaseOpening(work_dir, open_server, status="正在连接数据库服务器…")
    return _login_loop(app, args, data, opening, None, after_first_paint)


def _changed_password(db: Database, user: UserRow) -> bool:
    """An initial or reset password is replaced before the main window opens (False: logged out)."""
    from desktop_app.ui.login import ChangePasswordDialog

    return bool(ChangePasswordDialog(db, user, forced=True).exec())


def _run_session(app: object, opening: DatabaseOpening, user: UserRow, data: Path) -> bool:
    """One user's main window until it closes. True when the user chose 注销/切换用户."""
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.settings import WindowSettings

    assert opening.db is not None
    ctx = AppContext(opening.db, user, WindowSettings(paths.settings_path(data)))
    window = MainWindow(ctx)
    window.first_painted.connect(opening.release)
    window.show()
    logging.getLogger(__name__).info("started, db=%s user=%s, database opened in %.2f s",
                                     opening.path, user.username, opening.seconds or 0.0)
    app.exec()  # type: ignore[attr-defined]
    switch = window.logout_requested
    window.deleteLater()
    return switch
