"""``python -m desktop_app`` starts the GUI; ``python -m desktop_app <command>`` runs the CLI."""

from __future__ import annotations

import sys

GUI_OPTIONS = {"--data-dir", "--db", "--user"}  # each takes one value
GUI_FLAGS = {"--demo"}  # take none


def wants_gui(argv: list[str]) -> bool:
    """True when the arguments are only GUI options (no CLI command, no --help)."""
    i = 0
    while i < len(argv):
        token = argv[i]
        name = token.split("=", 1)[0]
        if token in GUI_FLAGS:
            i += 1
            continue
        if name not in GUI_OPTIONS:
            return False
        i += 1 if "=" in token else 2
    return True


def main() -> int:
    argv = sys.argv[1:]
    if wants_gui(argv):
        from desktop_app.app import run_gui

        return run_gui(argv)
    from desktop_app.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
