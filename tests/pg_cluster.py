"""A throwaway PostgreSQL cluster in a folder of its own, for the tests and benchmarks.

Never a system cluster: `start` runs Debian's `initdb` into FOLDER/data and a server on a
free loopback port with its socket in FOLDER, as the `postgres` user when run as root
(PostgreSQL refuses to run as root); `stop` shuts it down and removes FOLDER.

    python tests/pg_cluster.py start FOLDER   # prints the server's postgresql:// URL
    python tests/pg_cluster.py stop FOLDER

`.ci/run` starts one for the whole run; outside CI the tests start their own when the
binaries are installed (tests/conftest.py).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

URL_FILE = "url"  # FOLDER/url: the running server's URL
START_TIMEOUT_S = 60


def binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: on PATH, or Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    """`command` run as the postgres user when this process is root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_owner(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def start(folder: Path, *, durable: bool = False) -> str:
    """Make and start a cluster in `folder` (new or empty); return its URL. `durable`
    keeps fsync on (benchmarks); tests turn it off, since nothing outlives them."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb on PATH or under /usr/lib)")
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
          "-E", "UTF8", "--locale=C", "--no-sync"])  # fmt: skip
    port = _free_port()
    settings = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
          "-o", settings, "-w", "-t", str(START_TIMEOUT_S), "start"])  # fmt: skip
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    (folder / URL_FILE).write_text(url + "\n", encoding="utf-8")
    return url


def stop(folder: Path) -> None:
    """Stop the cluster in `folder`, if one runs there, and remove the folder."""
    bin_dir = binaries()
    if bin_dir is not None and (folder / "data" / "postmaster.pid").exists():
        _run([str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w",
              "stop"])  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1])
    try:
        if argv[0] == "start":
            print(start(folder))
        else:
            stop(folder)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
