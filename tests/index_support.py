"""Helpers for the index tests: a throwaway PostgreSQL server, synthetic articles, worker processes.

Run as a script it is a worker process for the crash and concurrency tests:

    python tests/index_support.py add URL PREFIX N        # add N articles one per transaction, print each id once durable
    python tests/index_support.py admit URL WORKER N      # check --add the shared story and N own articles
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import zlib
from urllib.parse import quote
from dataclasses import dataclass

REPO = pathlib.Path(__file__).resolve().parent.parent

# --- a local PostgreSQL server -------------------------------------------------------------


def _pg_bin() -> pathlib.Path | None:
    found = shutil.which("initdb")
    if found:
        return pathlib.Path(found).resolve().parent
    versions = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalPostgres:
    dsn: str
    datadir: pathlib.Path
    bindir: pathlib.Path
    as_user: list[str]

    def stop(self) -> None:
        self.pause()
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server as a crash would (its files kept: :meth:`resume` starts it again)."""
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )

    def resume(self) -> None:
        _pg_start(self.as_user, self.bindir, self.datadir, int(self.dsn.rsplit(":", 1)[1].split("/")[0]))


def _pg_start(as_user: list[str], bindir: pathlib.Path, datadir: pathlib.Path, port: int) -> None:
    base = datadir.parent
    subprocess.run(
        [*as_user, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(base / "log"), "-w", "-t", "60",
         "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c max_connections=200", "start"],
        check=True, capture_output=True, timeout=120,
    )


def start_local_postgres(*, password: str | None = None) -> LocalPostgres | str:
    """Start a PostgreSQL server on 127.0.0.1 in a temporary folder; a reason string if it cannot.

    Every connection is trusted; with ``password`` the server checks passwords instead
    (scram-sha-256), the postgres user's being ``password`` (in the DSN)."""
    bindir = _pg_bin()
    if bindir is None:
        return "initdb not found (apt-get install postgresql)"
    as_user: list[str] = []
    base = pathlib.Path(tempfile.mkdtemp(prefix="dedup-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres user
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user"
        os.chown(base, pw.pw_uid, pw.pw_gid)
        runuser = shutil.which("runuser")
        as_user = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]
        if not runuser:
            return "running as root and runuser is missing"
    datadir = base / "data"
    port = free_port()
    auth = ["-A", "trust"]
    if password is not None:
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        if as_user:
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        auth = ["-A", "scram-sha-256", f"--pwfile={pwfile}"]
    try:
        subprocess.run(
            [*as_user, str(bindir / "initdb"), "-D", str(datadir), *auth, "-U", "postgres", "-E", "UTF8"],
            check=True, capture_output=True, timeout=120,
        )
        _pg_start(as_user, bindir, datadir, port)
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        return f"cannot start a local server ({exc})"
    user = "postgres" if password is None else f"postgres:{quote(password, safe='')}"
    return LocalPostgres(f"postgresql://{user}@127.0.0.1:{port}/postgres", datadir, bindir, as_user)


# --- synthetic articles --------------------------------------------------------------------

_SYLLABLES = "ba ko ri tu me sa lo ne vi da ge mo pu ra te ki zo ha fe lu".split()


def _vocabulary(n: int = 6000) -> list[str]:
    import random

    rnd = random.Random(12345)
    words = set()
    while len(words) < n:
        words.add("".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


_VOCAB = _vocabulary()


def article(seed: int, n_words: int = 400) -> str:
    """A deterministic, article-length text whose wording is unique to ``seed``."""
    import random

    rnd = random.Random(seed)
    sents = []
    total = 0
    while total < n_words:
        k = rnd.randint(12, 24)
        words = [rnd.choice(_VOCAB) for _ in range(k)]
        words.insert(rnd.randint(0, k), str(rnd.randint(2, 99999)))
        sents.append(" ".join(words).capitalize() + ".")
        total += k + 1
    return " ".join(sents)


# --- worker processes ----------------------------------------------------------------------


def _wait_for_go() -> None:
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("no go")


def _worker_add(url: str, prefix: str, n: int, batch: int = 8) -> None:
    """Add articles in batches; print the ids of each batch once its transaction committed."""
    from dedup.index import Index
    from dedup.records import Document

    with Index.open(url) as index:
        _wait_for_go()
        for start in range(0, n, batch):
            docs = [
                Document(id=f"{prefix}-{i}", text=article(zlib.crc32(f"{prefix}-{i}".encode())))
                for i in range(start, min(n, start + batch))
            ]
            index.add(docs, relate=False, batch=batch)
            print(" ".join(d.id for d in docs), flush=True)  # acknowledged: committed


def _worker_admit(url: str, worker: str, n: int, shared_seed: int) -> None:
    """check --add N own articles and, half way, the story every worker submits."""
    from dedup.index import Index
    from dedup.records import Document

    shared = article(shared_seed)
    with Index.open(url) as index:
        _wait_for_go()
        for i in range(n):
            if i == n // 2:
                story = Document(id=f"{worker}-story", text=shared)
                d = index.check(story, add=True, client=worker)
                print(f"{d.id} {d.decision} {int(d.added)}", flush=True)
            own = Document(id=f"{worker}-own-{i}", text=article(zlib.crc32(f"{worker}-own-{i}".encode())))
            d = index.check(own, add=True, client=worker)
            print(f"{d.id} {d.decision} {int(d.added)}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    cmd = sys.argv[1]
    if cmd == "add":
        _worker_add(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "admit":
        _worker_admit(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        raise SystemExit(f"unknown worker command {cmd!r}")
