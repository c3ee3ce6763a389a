"""Run a test's step as an unprivileged user (CI runs as root, which permissions do not stop)."""

from __future__ import annotations

import json
import os
import pwd

import pytest


def _nobody():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def run_unprivileged(fn):
    """Run fn() as an unprivileged user and return its JSON-able result.

    As root, a forked child drops to 'nobody' (the venv's interpreter may sit under
    /root, where nobody cannot execute it, so a fresh interpreter is not an option).
    """
    if os.geteuid() != 0:
        return fn()
    user = _nobody()
    if user is None:
        pytest.skip("no unprivileged user 'nobody' on this machine")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            out = json.dumps(fn()).encode()
            with os.fdopen(w, "wb") as fh:
                fh.write(out)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        out = fh.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "unprivileged child failed"
    return json.loads(out)
