"""File-level commands on a district's PostgreSQL address say which server tool does the job
(no "file not found" with a mangled address); a reader that stops reading (… | head) is not
reported as a database error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main

URL = "postgresql+psycopg://jingguan:secret@/sunshine_district?host=/nonexistent"


@pytest.mark.parametrize(("argv", "tool"), [
    (["verify"], "pg_amcheck"), (["backup"], "pg_dump"), (["backup", "list"], "pg_dump"),
    (["restore", "x.db"], "pg_restore")])
def test_file_commands_on_a_server_address_name_the_servers_tool(argv: list[str], tool: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--db", URL]) == 1
    err = capsys.readouterr().err
    assert tool in err and "PostgreSQL" in err and "secret" not in err and "不存在" not in err


def test_a_closed_pipe_is_not_a_database_error(demo_template: Path) -> None:
    """``orgs | head -0``: the reader is gone before the command prints its first line."""
    with subprocess.Popen([sys.executable, "-m", "desktop_app", "orgs", "--db", str(demo_template)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:  # closes the pipes
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(120) == 1
    assert "错误" not in err and "Broken" not in err and "Traceback" not in err
