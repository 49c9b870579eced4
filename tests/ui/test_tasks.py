"""Background tasks: progress, cancel, errors, the delayed progress dialog."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QPushButton

from desktop_app.core.errors import UserError
from desktop_app.core.progress import Cancelled, Progress
from desktop_app.ui.tasks import TaskRunner, db_pool


@pytest.fixture
def pool():
    p = QThreadPool()
    p.setMaxThreadCount(1)
    yield p
    p.waitForDone(5_000)


def test_progress_is_reported_in_order_and_the_result_delivered(qtbot, pool) -> None:
    runner = TaskRunner(pool=pool, min_interval=0)
    seen: list[tuple[int, int, str]] = []
    threads: list[str] = []

    def work(progress: Progress) -> str:
        threads.append(threading.current_thread().name)
        for i in range(1, 6):
            progress.report(i, 5, f"正在处理第{i}个村")
        return "完成"

    handle = runner.run(work, title="生成报表")
    handle.progressed.connect(lambda d, t, s: seen.append((d, t, s)))
    results: list[object] = []
    handle.succeeded.connect(results.append)
    with qtbot.waitSignal(handle.finished, timeout=5_000):
        pass
    assert results == ["完成"]
    assert seen == [(i, 5, f"正在处理第{i}个村") for i in range(1, 6)]
    assert threads and threads[0] != threading.main_thread().name
    assert handle.dialog is None  # fast task: no progress dialog ever
    assert runner.active == 0


def test_cancel_reaches_the_worker_and_no_result_is_emitted(qtbot, pool) -> None:
    runner = TaskRunner(pool=pool)
    started = threading.Event()
    worker_saw: list[str] = []

    def work(progress: Progress) -> str:
        started.set()
        try:
            while True:
                progress.check()
                time.sleep(0.005)
        except Cancelled:
            worker_saw.append("cancelled")
            raise

    handle = runner.run(work)
    succeeded: list[object] = []
    handle.succeeded.connect(succeeded.append)
    assert started.wait(5)
    with qtbot.waitSignals([handle.cancelled, handle.finished], timeout=5_000):
        handle.cancel()
    assert worker_saw == ["cancelled"]
    assert succeeded == []
    assert handle.was_cancelled and handle.result is None


def test_progress_dialog_appears_only_after_the_delay_and_can_cancel(qtbot, pool) -> None:
    runner = TaskRunner(pool=pool, delay_ms=100)
    go_on = threading.Event()

    def work(progress: Progress) -> None:
        progress.report(1, 10, "正在导入")
        while not go_on.wait(0.005):  # working until the test lets it go, checking for 取消
            progress.check()

    started = time.monotonic()
    handle = runner.run(work, title="导入成员")
    try:
        assert handle.dialog is None
        qtbot.waitUntil(lambda: handle.dialog is not None, timeout=3_000)
        assert time.monotonic() - started >= 0.09  # not before its delay (a coarse Qt timer may fire up to 5% early)
        dialog = handle.dialog
        assert dialog.windowTitle() == "导入成员"
        assert dialog.labelText() == "正在导入"
        (cancel_button,) = dialog.findChildren(QPushButton)
        with qtbot.waitSignal(handle.cancelled, timeout=5_000):
            cancel_button.click()
        assert handle.dialog is None
    finally:
        go_on.set()


def test_progress_dialog_cancel_button_is_chinese(qtbot, pool) -> None:
    runner = TaskRunner(pool=pool, delay_ms=0)
    release = threading.Event()
    handle = runner.run(lambda p: release.wait(5), title="备份")
    qtbot.waitUntil(lambda: handle.dialog is not None, timeout=3_000)
    buttons = [b.text() for b in handle.dialog.findChildren(QPushButton)]
    assert buttons == ["取消"]
    with qtbot.waitSignal(handle.finished, timeout=5_000):
        release.set()


def test_user_error_is_shown_calmly_by_default(qtbot, pool, shown_boxes) -> None:
    runner = TaskRunner(pool=pool)

    def work(progress: Progress) -> None:
        raise UserError("第3行“金额”不是有效的金额")

    handle = runner.run(work)
    with qtbot.waitSignal(handle.failed, timeout=5_000) as blocker:
        pass
    assert isinstance(blocker.args[0], UserError)
    assert shown_boxes.texts == ["第3行“金额”不是有效的金额"]


def test_bug_in_a_task_is_a_crash_report(qtbot, pool, shown_boxes) -> None:
    runner = TaskRunner(pool=pool)
    handle = runner.run(lambda p: 1 / 0)
    errors: list[BaseException] = []
    handle.failed.connect(errors.append)
    assert handle.wait(5_000)
    assert isinstance(errors[0], ZeroDivisionError)
    assert shown_boxes.texts[0].startswith("程序出错")
    assert "ZeroDivisionError" in shown_boxes.boxes[0].detailedText()


def test_on_error_callback_replaces_the_default(qtbot, pool, shown_boxes) -> None:
    runner = TaskRunner(pool=pool)
    got: list[BaseException] = []
    handle = runner.run(lambda p: (_ for _ in ()).throw(UserError("x")), on_error=got.append)
    assert handle.wait(5_000)
    assert [str(e) for e in got] == ["x"] and shown_boxes.texts == []


def test_tasks_run_one_at_a_time_on_the_db_pool(qtbot) -> None:
    assert db_pool().maxThreadCount() == 1
    runner = TaskRunner()
    lock = threading.Lock()
    overlaps: list[bool] = []

    def work(progress: Progress) -> None:
        overlaps.append(not lock.acquire(blocking=False))
        time.sleep(0.01)
        lock.release()

    handles = [runner.run(work) for _ in range(4)]
    assert all(h.wait(5_000) for h in handles)
    assert overlaps == [False] * 4


def test_progress_is_plain_python() -> None:
    got: list[tuple[int, int, str]] = []
    progress = Progress(lambda d, t, s: got.append((d, t, s)), min_interval=10)
    progress.report(1, 3, "a")
    progress.report(2, 3)  # throttled
    progress.report(3, 3)  # the final report always goes through
    assert got == [(1, 3, "a"), (3, 3, "a")]
    progress.cancel()
    with pytest.raises(Cancelled):
        progress.report(4, 3)
