"""The memory the live server keeps: sign-ins at once must not leave it larger for good.

Each sign-in's scrypt takes 16 MiB for a moment. `quiz-app serve` starts Streamlit with
glibc's malloc told to give such blocks back (cli.MALLOC_ENV); without that, every
thread that signed someone in kept its 16 MiB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app import cli

# Four sign-ins at once, in four threads (as Streamlit runs four sessions' scripts),
# after one that already raised glibc's default threshold; prints how many MB the
# process's resident set grew.
SIGN_INS_AT_ONCE = """
import threading
from quiz_app.auth import hash_password, verify_password

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

stored = hash_password("a password")
verify_password("a password", stored)
before = rss_mb()
together = threading.Barrier(4)

def sign_in():
    together.wait()
    assert verify_password("a password", stored)

threads = [threading.Thread(target=sign_in) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(rss_mb() - before)
"""


def served_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment `quiz-app serve` would start Streamlit in."""
    started: list[dict[str, str]] = []
    monkeypatch.setattr(os, "execve", lambda path, args, env: started.append(env))
    result = CliRunner().invoke(cli.cli, ["serve", "--db", str(tmp_path / "quiz.db")])
    assert result.exit_code == 0, result.output
    (env,) = started
    return env


def test_serve_starts_streamlit_with_the_malloc_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    env = served_environment(tmp_path, monkeypatch)
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(1024 * 1024)
    assert env[cli.DB_ENV] == str((tmp_path / "quiz.db").resolve())


def test_an_administrators_own_malloc_setting_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert served_environment(tmp_path, monkeypatch)["MALLOC_MMAP_THRESHOLD_"] == "65536"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_sign_ins_at_once_leave_the_server_no_larger(tmp_path, monkeypatch):
    """With the served environment, four scrypts at once leave the process less than
    one scrypt's 16 MiB larger (glibc's defaults kept 64 MB)."""
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    env = served_environment(tmp_path, monkeypatch)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(cli.__file__).parents[1]),
                                                      env.get("PYTHONPATH")]))  # fmt: skip
    grown = subprocess.run(
        [sys.executable, "-c", SIGN_INS_AT_ONCE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert float(grown) < 8, f"the process grew by {grown.strip()} MB"
