"""`dedup scan`: options, formats, output file, exit codes."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.report.scan_terminal import ScanProgress


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_scan_needs_a_path(runner):
    res = runner.invoke(main, ["scan"])
    assert res.exit_code == 2
    assert "Missing argument 'PATH...'" in res.output


def test_scan_names_a_missing_path(runner, tmp_path):
    missing = tmp_path / "nowhere"
    res = runner.invoke(main, ["scan", str(missing)])
    assert res.exit_code == 2
    assert f"Path '{missing}' does not exist." in res.output


def test_scan_rejects_an_unknown_format(runner, tmp_path):
    res = runner.invoke(main, ["scan", str(tmp_path), "--format", "xml"])
    assert res.exit_code == 2
    assert "'xml' is not one of 'terminal', 'json', 'jsonl', 'csv'" in res.output


def test_progress_is_silent_when_disabled():
    stream = io.StringIO()
    with ScanProgress(stream=stream, enabled=False) as progress:
        progress("read", 1, 10)
    assert stream.getvalue() == ""
    assert ScanProgress(stream=io.StringIO()).enabled is False  # not a terminal


def test_progress_draws_one_task_per_stage():
    stream = io.StringIO()
    with ScanProgress(stream=stream, enabled=True) as progress:
        progress("read", 0, None)
        progress("read", 5, 5)
        progress("verify", 3, 10)
        tasks = {t.description: (t.completed, t.total) for t in progress._progress.tasks}
    assert tasks == {"read": (5, 5), "verify": (3, 10)}
