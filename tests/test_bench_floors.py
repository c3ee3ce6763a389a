"""The benchmark quality gate: results under a floor fail; floors only ever move towards better."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402


@pytest.fixture
def floors(tmp_path, monkeypatch):
    path = tmp_path / "floors.json"
    path.write_text(json.dumps({
        "f1": {"target": 0.95, "floor": 0.90},
        "rate": {"target": 1.0, "better": "lower", "floor": 2.0},
        "speedup": {"floor": None, "margin": 0.5},
    }))
    monkeypatch.setattr(run, "FLOORS", path)
    return path


@pytest.mark.parametrize(
    ("metrics", "failing"),
    [
        ({"f1": 0.91, "rate": 1.5}, []),
        ({"f1": 0.89, "rate": 1.5}, ["f1"]),
        ({"f1": 0.91, "rate": 2.5}, ["rate"]),
        ({"other": 0.0}, []),
    ],
    ids=["both-pass", "higher-is-better-under", "lower-is-better-over", "ungated"],
)
def test_floors_gate(floors, metrics, failing):
    out = run.check_floors(metrics, raise_floors=False)
    assert [line.split(" ", 1)[0] for line in out] == failing


def test_raise_floors_never_lowers(floors):
    run.check_floors({"f1": 0.80, "rate": 3.0, "speedup": 4.0}, raise_floors=True)
    f = json.loads(floors.read_text())
    assert f["f1"]["floor"] == 0.90 and f["rate"]["floor"] == 2.0  # worse results leave floors alone
    assert f["speedup"]["floor"] == 3.5  # a new floor keeps its margin
    run.check_floors({"f1": 0.97, "rate": 0.5, "speedup": 3.0}, raise_floors=True)
    f = json.loads(floors.read_text())
    assert f["f1"]["floor"] == 0.97 and f["rate"]["floor"] == 0.5 and f["speedup"]["floor"] == 3.5
