"""``python -m desktop_app`` with only window options (as scripts/run.sh starts it) opens the GUI;
any command goes to the CLI."""

from __future__ import annotations

from desktop_app.__main__ import wants_gui


def test_run_sh_arguments_open_the_window() -> None:
    assert wants_gui(["--demo", "--user", "kuaiji"])
    assert wants_gui(["--user=kuaiji", "--demo", "--data-dir", "/d"])
    assert wants_gui([])


def test_a_command_or_help_goes_to_the_cli() -> None:
    assert not wants_gui(["demo", "--db", "x.db"])
    assert not wants_gui(["--demo", "verify"])
    assert not wants_gui(["--help"])
