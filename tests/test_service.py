"""The HTTP service through a real uvicorn server on 127.0.0.1 (a subprocess), on both backends."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import jsonschema
import pytest

from index_support import REPO, article, free_port

TOKEN = "s3cret-token"
SCHEMA = json.loads((REPO / "dedup" / "schemas" / "check.v1.json").read_text())
MAX_BODY = 256 * 1024


class Server:
    def __init__(self, index_url: str, token: str | None = TOKEN):
        self.index_url, self.token = index_url, token  # a fresh index_url is created (--create)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        args = [sys.executable, "-m", "dedup", "serve", "--index", self.index_url, "--host", "127.0.0.1",
                "--port", str(self.port), "--max-body", str(MAX_BODY), "--log-level", "warning", "--create"]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        env.pop("DEDUP_TOKEN", None)
        if self.token:
            env["DEDUP_TOKEN"] = self.token
        self.log = open(os.environ.get("DEDUP_TEST_SERVER_LOG", os.devnull), "a")  # noqa: SIM115
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}; set DEDUP_TEST_SERVER_LOG=FILE to see why")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("server did not come up in 30 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        self.log.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service_index(request, tmp_path_factory):
    """One index per backend for this module's shared server (starting one takes seconds)."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("svc") / "index.db")
        return
    from conftest import _schema_url
    from dedup.index.postgres import PostgresStore

    url = _schema_url(request.getfixturevalue("pg_dsn"), f"svc_{uuid.uuid4().hex[:12]}")
    yield url
    store = PostgresStore(url)
    store.drop()
    store.close()


@pytest.fixture(scope="module")
def server(service_index):
    s = Server(service_index).start()
    yield s
    s.stop()


@pytest.fixture
def ns():
    """A fresh id prefix: tests share the module's server and index."""
    return uuid.uuid4().hex[:8]


def art(i, ns="", **kw):
    return {"id": f"{ns}art-{i}", "text": article(i), **kw}


def assert_problem(r: httpx.Response, status: int, words: str):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and words in body["detail"], body


def test_check_add_get_delete_stats_audit(server, ns):
    with server.client() as c:
        start = c.get("/v1/stats").json()
        seq0 = c.get("/v1/audit", params={"limit": 10_000}).json()["next_after"]
        r = c.post("/v1/check", json={**art(1, ns), "text": article(hash(ns) % 10**6), "add": True})
        assert r.status_code == 200, r.text
        (ans,) = r.json()["results"]
        jsonschema.validate(ans, SCHEMA)
        assert (ans["id"], ans["decision"], ans["added"]) == (f"{ns}art-1", "new", True)

        r = c.post("/v1/check", json={"id": f"{ns}incoming", "text": article(hash(ns) % 10**6)})
        (ans,) = r.json()["results"]
        jsonschema.validate(ans, SCHEMA)
        assert ans["decision"] == "duplicate" and ans["matches"][0]["id"] == f"{ns}art-1" and not ans["added"]

        got = c.get(f"/v1/documents/{ns}art-1").json()
        assert got["id"] == f"{ns}art-1" and got["text"] == article(hash(ns) % 10**6)

        r = c.post("/v1/documents", json={"documents": [art(2, ns, text=article(7_000_002)),
                                                        art(3, ns, text=article(7_000_003), title="T")]})
        assert r.status_code == 201 and [a["added"] for a in r.json()["results"]] == [True, True]

        stats = c.get("/v1/stats").json()
        assert stats["documents"] == start["documents"] + 3 and stats["params"]["num_perm"] == 128

        assert c.delete(f"/v1/documents/{ns}art-2").status_code == 204
        assert_problem(c.delete(f"/v1/documents/{ns}art-2"), 404, f"{ns}art-2")
        assert_problem(c.get(f"/v1/documents/{ns}art-2"), 404, f"{ns}art-2")

        log = [e for e in c.get("/v1/audit", params={"after": seq0}).json()["entries"] if e["id"].startswith(ns)]
        assert [(e["id"], e["action"]) for e in log] == [
            (f"{ns}art-1", "add"), (f"{ns}incoming", "check"), (f"{ns}art-2", "add"), (f"{ns}art-3", "add"),
            (f"{ns}art-2", "remove"), (f"{ns}art-2", "remove"),
        ]
        page = c.get("/v1/audit", params={"after": log[1]["seq"], "limit": 1}).json()
        assert page["entries"][0]["seq"] > log[1]["seq"] and page["next_after"] == page["entries"][0]["seq"]
        assert [e["seq"] for e in c.get("/v1/audit", params={"id": f"{ns}art-2"}).json()["entries"]] == [
            log[2]["seq"], log[4]["seq"], log[5]["seq"]]
        assert c.get("/healthz").json()["status"] == "ok"


def test_batch_check_answers_in_order(server, ns):
    base = 8_000_000 + (hash(ns) % 1000) * 10
    with server.client() as c:
        c.post("/v1/documents", json={"documents": [art(i, ns, text=article(base + i)) for i in range(3)]})
        docs = [{"id": f"{ns}q-dup", "text": article(base + 2)}, {"id": f"{ns}q-new", "text": article(base + 9)},
                art(1, ns, text=article(base + 1))]
        r = c.post("/v1/check/batch", json={"documents": docs, "add": True})
        assert r.status_code == 200, r.text
        res = r.json()["results"]
        for a in res:
            jsonschema.validate(a, SCHEMA)
        assert [(a["id"], a["decision"], a["added"]) for a in res] == [
            (f"{ns}q-dup", "duplicate", False), (f"{ns}q-new", "new", True), (f"{ns}art-1", "new", False),
        ]
        assert "same text" in res[2]["reason"]


def test_ids_with_slashes_round_trip(server, ns):
    with server.client() as c:
        c.post("/v1/documents", json={"documents": [{"id": f"{ns}/business/001.txt", "text": article(5)}]})
        assert c.get(f"/v1/documents/{ns}/business/001.txt").json()["id"] == f"{ns}/business/001.txt"


@pytest.mark.parametrize(
    "case",
    ["no-token", "wrong-token", "malformed-json", "oversized", "bad-id", "missing-text", "unknown-field",
     "empty-batch", "too-long-id"],
)
def test_bad_requests_get_problem_objects(server, case):
    with server.client() as c:
        before = c.get("/v1/stats").json()
    with server.client() as c, server.client(token=None) as anon:
        if case == "no-token":
            r = anon.post("/v1/check", json=art(1))
            assert_problem(r, 401, "Bearer")
            assert r.headers["www-authenticate"] == "Bearer"
        elif case == "wrong-token":
            with server.client(token="nope") as bad:
                assert_problem(bad.get("/v1/stats"), 401, "Bearer")
        elif case == "malformed-json":
            r = c.post("/v1/check", content=b'{"id": "x", "text": ', headers={"content-type": "application/json"})
            assert_problem(r, 400, "not valid JSON")
        elif case == "oversized":
            big = {"id": "big", "text": "word " * (MAX_BODY // 4)}
            assert_problem(c.post("/v1/check", json=big), 413, str(MAX_BODY))
        elif case == "bad-id":
            assert_problem(c.post("/v1/check", json={"id": "a\nb", "text": "x"}), 400, "control characters")
            assert_problem(c.get("/v1/documents/a%00b"), 400, "control characters")
        elif case == "missing-text":
            assert_problem(c.post("/v1/check", json={"id": "x"}), 422, "text")
        elif case == "unknown-field":
            assert_problem(c.post("/v1/check", json={**art(1), "colour": "red"}), 422, "colour")
        elif case == "empty-batch":
            assert_problem(c.post("/v1/check/batch", json={"documents": []}), 422, "documents")
        elif case == "too-long-id":
            assert_problem(c.get("/v1/documents/" + "x" * 600), 422, "id")
    with server.client() as c:  # the server is still fine, and nothing was stored or recorded
        after = c.get("/v1/stats").json()
        assert (after["documents"], after["audit_entries"]) == (before["documents"], before["audit_entries"])


def test_acknowledged_documents_survive_kill_9(index_url):  # its own server: this one gets killed
    s = Server(index_url).start()
    acked = []
    try:
        with s.client() as c:
            for i in range(25):
                r = c.post("/v1/check", json={**art(i), "add": True})
                assert r.status_code == 200
                if r.json()["results"][0]["added"]:
                    acked.append(f"art-{i}")
        s.kill9()
    finally:
        s.stop()
    assert len(acked) == 25
    s2 = Server(index_url).start()
    try:
        with s2.client() as c:
            assert c.get("/v1/stats").json()["documents"] == 25
            for doc_id in acked:
                assert c.get(f"/v1/documents/{doc_id}").status_code == 200
    finally:
        s2.stop()


def test_concurrent_http_clients_lose_nothing_and_admit_one_copy(server, ns):
    story = article(31337)
    with server.client() as c:
        before = c.get("/v1/stats").json()["documents"]
    results, errors = [], []

    def post(c, body):
        r = c.post("/v1/check", json=body)
        if r.status_code != 200:
            errors.append(f"{body['id']}: {r.status_code} {r.text[:300]}")
        else:
            results.append(r.json()["results"][0])

    def client_run(k):
        with server.client() as c:
            for i in range(6):
                post(c, {"id": f"{ns}c{k}-{i}", "text": article(10_000 + k * 100 + i), "add": True})
                if i == 3:
                    post(c, {"id": f"{ns}c{k}-story", "text": story, "add": True})

    threads = [threading.Thread(target=client_run, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert len(results) == 6 * 7
    story_answers = [a for a in results if a["id"].endswith("-story")]
    assert sum(a["added"] for a in story_answers) == 1
    assert all(a["added"] for a in results if not a["id"].endswith("-story"))
    with server.client() as c:
        assert c.get("/v1/stats").json()["documents"] == before + 6 * 6 + 1


def test_committed_openapi_schema_is_current(tmp_path):
    from click.testing import CliRunner

    from dedup.cli import main

    r = CliRunner().invoke(main, ["serve", "--openapi", "--index", str(tmp_path / "i.db")])
    assert r.exit_code == 0, r.output
    committed = (REPO / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert r.output == committed, "docs/openapi.json is stale; run: dedup serve --openapi > docs/openapi.json"
    spec = json.loads(committed)
    assert {"/v1/check", "/v1/check/batch", "/v1/documents", "/v1/documents/{id}", "/v1/stats", "/healthz"} <= set(spec["paths"])


def test_serve_refuses_an_index_that_does_not_exist_unless_told_to_create_it(tmp_path, monkeypatch):
    # a mistyped path must not give a running service that answers "new" to everything
    from click.testing import CliRunner

    from dedup.cli import main

    runs = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: runs.append(kw["port"]))
    missing = tmp_path / "mistyped.db"
    r = CliRunner().invoke(main, ["serve", "--index", str(missing), "--port", "8123"])
    assert (r.exit_code, r.stdout, runs) == (1, "", [])
    assert r.stderr == (
        f"Error: no index at '{missing}'; create it with `dedup index add --index {missing} FILES`, "
        "or start an empty one with `dedup serve --create`\n"
    )
    assert not missing.exists()
    r = CliRunner().invoke(main, ["serve", "--index", str(missing), "--port", "8123", "--create"])
    assert (r.exit_code, runs) == (0, [8123]), r.output
    assert missing.exists()
    r = CliRunner().invoke(main, ["serve", "--index", str(missing), "--port", "8124"])  # it exists now
    assert (r.exit_code, runs) == (0, [8123, 8124]), r.output


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("application/x-www-form-urlencoded", id="curl-d-default"),
        pytest.param(None, id="no-content-type"),
        pytest.param("text/plain", id="text-plain"),
    ],
)
def test_json_body_is_read_whatever_content_type_the_client_sent(server, ns, content_type):
    # README's example is `curl -d '{"id": ..., "text": ...}' .../v1/check`: curl -d sends
    # application/x-www-form-urlencoded; the body is still the JSON the API takes.
    body = json.dumps({"id": f"{ns}ct", "text": article(6_000_001)}).encode()
    headers = {"content-type": content_type} if content_type else {}
    with server.client() as c:
        r = c.post("/v1/check", content=body, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["results"][0]["id"] == f"{ns}ct"
        assert_problem(c.post("/v1/check", content=b"id=x&text=y", headers=headers), 400, "not valid JSON")


def test_a_body_that_is_not_an_object_says_what_to_send(server):
    with server.client() as c:
        for body in ([1, 2], None, "text"):
            assert_problem(c.post("/v1/check", json=body), 422, 'one JSON object such as {"id": "...", "text": "..."}')
