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
        # the stats and audit bodies follow their schemas in the committed OpenAPI document (they
        # were free-form objects there)
        components = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))["components"]["schemas"]
        resolver = {"components": {"schemas": components}}
        for path, name in (("/v1/stats", "Stats"), ("/v1/audit", "AuditPage")):
            body = c.get(path).json()
            jsonschema.validate(body, {**components[name], **resolver})
            assert set(body) == set(components[name]["properties"]), path


def test_documents_answers_200_when_nothing_was_stored(server, ns):
    # every article skipped (a page with no article) or already indexed: it said 201 Created
    with server.client() as c:
        page = {"id": f"{ns}nav", "text": "<html><body><nav><a href='/'>Home</a></nav></body></html>"}
        r = c.post("/v1/documents", json={"documents": [page]})
        assert r.status_code == 200 and r.json()["results"][0]["decision"] == "skipped"
        one = art(1, ns, text=article(8_100_001))
        assert c.post("/v1/documents", json={"documents": [one, page]}).status_code == 201
        assert c.post("/v1/documents", json={"documents": [one]}).status_code == 200  # the same text again


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


def test_an_article_id_with_a_bidi_mark_or_c1_control_is_a_400(server, ns):
    # they were taken: an id that a report shows reordered (U+202E) or as nothing
    with server.client() as c:
        for odd in ("\u202e", "\u200f", "\x85"):
            for path, body in (("/v1/check", {"id": f"{ns}a{odd}b", "text": article(9), "add": True}),
                               ("/v1/documents", {"documents": [{"id": f"{ns}a{odd}b", "text": article(9)}]})):
                assert_problem(c.post(path, json=body), 400, f"has an invisible or layout character (U+{ord(odd):04X})")
        assert c.get(f"/v1/documents/{ns}a\u202eb").status_code == 404  # a lookup is still answered


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
            assert_problem(c.get("/v1/documents/" + "x" * 600), 400, "600 characters; the limit is 512")
            assert_problem(c.post("/v1/check", json={"id": "x" * 513, "text": "x"}), 422, "id")
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



# --- fuzzing findings (/tmp/s14/fz_http/REPORT.md) ----------------------------------------------

SPLIT_TEXT = next((REPO / "seeds").glob("002_*.txt")).read_text(encoding="utf-8")  # two stories: id#1, id#2


def in_process(index, **kw):
    """``request(method, url, **httpx_kw)`` on the ASGI app over ``index``, in this process (no server)."""
    import asyncio

    from dedup.service import create_app

    app = create_app(index, **kw)

    async def call(method, url, **options):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
            return await c.request(method, url, **options)

    return lambda method, url, **options: asyncio.run(call(method, url, **options))


def long_id(ns: str, n: int = 511) -> str:
    return ns + "s" * (n - len(ns))


@pytest.mark.parametrize("relate", [True, False], ids=["relate", "no-relate"])
def test_documents_request_is_all_or_nothing(index_url, monkeypatch, relate):
    # Index.add commits ADD_BATCH articles a transaction, so an error in a later one was answered
    # as an error while the earlier ones stayed stored and audited
    from dedup.errors import StoreError
    from dedup.index import ADD_BATCH, Index

    docs = [{"id": f"atom-{i}", "text": article(90_000 + i, n_words=40)} for i in range(ADD_BATCH + 4)]
    docs[-1]["id"] = "boom"
    with Index.open(index_url, drift=False) as index:
        stored = index._stored

        def fail_on_boom(doc, *args, **kw):
            if doc.id == "boom":
                raise StoreError("the store went away")
            return stored(doc, *args, **kw)

        monkeypatch.setattr(index, "_stored", fail_on_boom)
        request = in_process(index)
        assert_problem(request("POST", "/v1/documents", json={"documents": docs, "relate": relate}), 503, "went away")
        assert_problem(request("GET", "/v1/documents/atom-0"), 404, "atom-0")
        stats = index.stats()
        assert (stats.documents, stats.audit_entries) == (0, 0)


def test_a_long_id_whose_text_splits_is_accepted_and_its_parts_addressable(server, ns):
    # a valid 511-character id became the 513-character id#1 and the whole request got a 400
    # naming an id the client never sent (in /v1/documents after 256 others: F1's trigger)
    big = long_id(ns)
    parts = [f"{big}#1", f"{big}#2"]
    with server.client() as c:
        r = c.post("/v1/check", json={"id": big, "text": SPLIT_TEXT})
        assert r.status_code == 200, r.text
        assert [a["id"] for a in r.json()["results"]] == parts
        batch = [{"id": f"{ns}atom-{i}", "text": article(95_000 + i, n_words=40)} for i in range(257)]
        r = c.post("/v1/documents", json={"documents": [*batch, {"id": big, "text": SPLIT_TEXT}], "relate": False})
        assert r.status_code == 201, r.text
        assert [a["id"] for a in r.json()["results"][-2:]] == parts and all(a["added"] for a in r.json()["results"])
        assert c.get(f"/v1/documents/{ns}atom-256").status_code == 200
        for part in parts:
            got = c.get(f"/v1/documents/{part.replace('#', '%23')}")
            assert got.status_code == 200 and got.json()["parent"] == big, got.text
            assert [e["action"] for e in c.get("/v1/audit", params={"id": part}).json()["entries"]] == ["check", "add"]
        assert c.delete(f"/v1/documents/{parts[0].replace('#', '%23')}").status_code == 204
        assert c.get(f"/v1/documents/{parts[0].replace('#', '%23')}").status_code == 404
        # the client's own id keeps the 512 limit
        assert_problem(c.post("/v1/check", json={"id": long_id(ns, 513), "text": SPLIT_TEXT}), 422, "512")
        assert_problem(c.get(f"/v1/documents/{long_id(ns, 513)}%231"), 400, "the limit is 512")


@pytest.mark.parametrize(
    "doc_id, ok",
    [("x" * 512, True), ("x" * 512 + "#1", True), ("x" * 512 + "#123456789", True), ("a #1", True),
     ("x" * 513, False), ("x" * 513 + "#1", False), ("x" * 512 + "#0", False), ("x" * 511 + " #2", False),
     (" " + "x" * 511 + "#2", False), ("x" * 511 + "\n#2", False)],
    ids=["512", "512#1", "512#k", "space-before-#", "513", "513#1", "512#0", "511-space#2", "space-511#2", "nl#2"],
)
def test_a_split_storys_id_may_pass_the_limit_by_its_suffix(doc_id, ok):
    from dedup.errors import InputError
    from dedup.index import validate_id

    if ok:
        assert validate_id(doc_id) == doc_id
    else:
        with pytest.raises(InputError):
            validate_id(doc_id)


def test_the_documented_id_pattern_is_validate_ids_rule():
    # the OpenAPI pattern (ECMA: "$" is the end of the text) accepts exactly what validate_id does
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from dedup.errors import InputError
    from dedup.index import validate_id
    from dedup.service import ID_PATTERN

    pattern = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"))
    edge = st.sampled_from(["x", " ", "\n", "\x85", "\u3000", "\x7f", "#", "é", "\ufeff", "\x1c"])
    ids = st.one_of(
        st.text(max_size=20),
        st.builds(lambda a, n, b, k: a + "y" * n + b + k, edge, st.integers(505, 515), edge,
                  st.sampled_from(["", "#1", "#0", "#12", "#1234567890", " #3", "#"])),
    )

    @settings(max_examples=400, deadline=None)
    @given(ids)
    def agree(doc_id):
        try:
            valid = validate_id(doc_id) == doc_id
        except InputError:
            valid = False
        assert (pattern.fullmatch(doc_id) is not None) == valid, repr(doc_id)

    agree()


def test_audit_after_past_the_largest_seq_is_a_problem(server):
    # after >= 2**63 was a 500 text/plain (OverflowError in sqlite3)
    with server.client() as c:
        assert c.get("/v1/audit", params={"after": 2**63 - 1}).json()["entries"] == []
        for after in (2**63, 10**40, -1):
            assert_problem(c.get("/v1/audit", params={"after": after}), 422, "after")


@pytest.mark.parametrize(
    "path, words",
    [
        pytest.param("{ns}nl%0A", "control characters", id="trailing-newline"),
        pytest.param("{ns}n%0Al", "control characters", id="newline-inside"),
        pytest.param("%0A", "control characters", id="newline-alone"),
        pytest.param("%FF", "not UTF-8 (byte 0xff at offset 0)", id="ff"),
        pytest.param("%FE", "not UTF-8", id="fe"),
        pytest.param("{ns}%C3", "not UTF-8", id="cut-sequence"),
        # these were read as the literal characters: GET %ZZ was "no document '%ZZ'" (404), and
        # /v1/audit?id=%ZZ answered an empty log
        pytest.param("%ZZ", "document id '%ZZ' has a malformed percent-escape ('%ZZ' at offset 0: a % must be "
                     "followed by two hex digits); send a % in an id as %25", id="zz"),
        pytest.param("{ns}%4", "malformed percent-escape ('%4' at offset 8", id="one-digit"),
        pytest.param("{ns}a%", "malformed percent-escape ('%' at offset 9", id="percent-at-end"),
        pytest.param("%C3%28x%G1", "malformed percent-escape ('%G1' at offset 7", id="after-a-good-one"),
    ],
)
def test_ids_in_paths_and_queries_are_read_from_the_raw_request(server, ns, path, words):
    # %0A at the end was dropped (DELETE nl%0A removed "nl"), a newline inside gave the
    # router's 404 (before the token check), and any malformed escape addressed the id U+FFFD
    path = path.format(ns=ns)
    text = article(hash(ns) % 10**6 + 12_345, n_words=60)
    with server.client() as c, server.client(token=None) as anon:
        c.post("/v1/documents", json={"documents": [{"id": f"{ns}nl", "text": text}, {"id": "\ufffd", "text": text}],
                                      "relate": False})
        for method in ("GET", "DELETE"):
            assert_problem(c.request(method, f"/v1/documents/{path}"), 400, words)
            assert_problem(anon.request(method, f"/v1/documents/{path}"), 401, "Bearer")
        assert_problem(c.get(f"/v1/audit?id={path}"), 400, words)
        assert c.get(f"/v1/documents/{ns}nl").status_code == 200
        assert c.get("/v1/documents/%EF%BF%BD").json()["id"] == "\ufffd"  # U+FFFD sent as UTF-8 is an id
        assert c.get("/v1/audit", params={"id": "\ufffd"}).json()["entries"]


@pytest.mark.parametrize(
    "body, words",
    [
        pytest.param(b'{"id": "a", "text": "caf\xe9"}', "not UTF-8 JSON (byte 0xe9 at offset 24 is not utf-8)",
                     id="latin-1"),
        pytest.param(b'{"id": "a", "text": "x", "n": ' + b"9" * 5000 + b"}", "more than 4300 digits", id="long-int"),
        pytest.param(b"[" * 5000 + b"]" * 5000, "nested too deeply", id="deep"),
    ],
)
def test_unparsable_bodies_say_what_is_wrong(server, body, words):
    # these got 400 {"title": "Error", "detail": "There was an error parsing the body"}
    with server.client() as c:
        r = c.post("/v1/check", content=body, headers={"content-type": "application/json"})
        assert_problem(r, 400, words)
        assert r.json()["title"] == "Bad Request"


def test_405_keeps_the_allow_header(server):
    # RFC 9110 requires Allow on a 405; the problem handler dropped it
    with server.client() as c:
        r = c.put("/v1/check", json={})
        assert_problem(r, 405, "Method Not Allowed")
        assert r.headers["allow"] == "POST"
        assert c.post("/healthz").headers["allow"] == "GET, HEAD"
        for method in ("OPTIONS", "PUT"):  # two routes share the path: both methods are named
            assert c.request(method, "/v1/documents/x").headers["allow"] == "DELETE, GET, HEAD"
        assert c.head("/v1/check").headers["allow"] == "POST"


def test_head_answers_as_get_without_the_body(server, ns):
    # health checks and uptime monitors send HEAD: it was a 405
    with server.client() as c:
        c.post("/v1/documents", json={"documents": [art(1, ns, text=article(9_100_001))]})
        for path in ("/healthz", "/v1/stats", f"/v1/documents/{ns}art-1", f"/v1/documents/{ns}nope", "/openapi.json"):
            got, head = c.get(path), c.head(path)
            assert head.status_code == got.status_code, path
            assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"], path
        with server.client(token=None) as anon:
            assert anon.head("/v1/stats").status_code == 401


@pytest.mark.parametrize(
    "body",
    [pytest.param(b'{"id": "x", "text": ', id="malformed"), pytest.param(b'{"text": "caf\xe9"}', id="latin-1"),
     pytest.param(b'{"n": ' + b"9" * 5000 + b"}", id="long-int"), pytest.param(b"[" * 5000, id="deep")],
)
def test_the_token_is_checked_before_the_body_is_parsed(server, body):
    # with --token, these got a 400 from parsing the body before an unauthenticated client got its 401
    with server.client(token=None) as anon, server.client(token="wrong") as bad:
        for c in (anon, bad):
            r = c.post("/v1/check", content=body, headers={"content-type": "application/json"})
            assert_problem(r, 401, "Bearer")
            assert r.headers["www-authenticate"] == "Bearer"
        big = {"id": "big", "text": "word " * (MAX_BODY // 4)}  # a declared body over the limit: 413 first
        r = anon.post("/v1/check", json=big)
        assert_problem(r, 413, str(MAX_BODY))
        assert r.headers["connection"] == "close"  # answered before the body is read


def test_the_token_is_checked_before_the_body_is_read(tmp_path):
    import asyncio

    from dedup.index import Index
    from dedup.service import create_app

    async def receive():
        raise AssertionError("the body was read before the token was checked")

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/documents", "raw_path": b"/v1/documents", "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    with Index.open(str(tmp_path / "i.db")) as index:
        asyncio.run(create_app(index, token=TOKEN)(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 401
    # the client may still be sending its body: the connection is closed, not held open for it
    assert (b"connection", b"close") in sent[0]["headers"]


def test_openapi_documents_problems_and_the_bearer_token(server):
    # errors were documented as application/json, 404 and the audit/stats problems were missing,
    # and nothing said that a token exists
    with server.client(token=None) as anon:
        spec = anon.get("/openapi.json").json()
    committed = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert spec["components"]["securitySchemes"] == committed["components"]["securitySchemes"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    want = {
        ("post", "/v1/check"): {"400", "401", "408", "413", "422", "500", "503"},
        ("post", "/v1/check/batch"): {"400", "401", "408", "413", "422", "500", "503"},
        ("post", "/v1/documents"): {"400", "401", "408", "413", "422", "500", "503"},
        ("get", "/v1/documents/{id}"): {"400", "401", "404", "422", "500", "503"},
        ("delete", "/v1/documents/{id}"): {"400", "401", "404", "422", "500", "503"},
        ("get", "/v1/stats"): {"401", "500", "503"},
        ("get", "/v1/audit"): {"400", "401", "422", "500", "503"},
        ("get", "/healthz"): {"500", "503"},
    }
    for doc, security in ((spec, [{"bearer": []}]), (committed, [{"bearer": []}, {}])):  # the server has a token
        for (method, path), statuses in want.items():
            op = doc["paths"][path][method]
            errors = {s: r for s, r in op["responses"].items() if int(s) >= 400}
            assert set(errors) == statuses, (method, path)
            assert all(set(r["content"]) == {"application/problem+json"} for r in errors.values()), (method, path)
            assert op.get("security") == (security if path.startswith("/v1/") else None), (method, path)


def test_a_body_that_does_not_arrive_in_time_gets_408(tmp_path):
    # a client that sent headers and then a body slowly (or stopped half-way) held its
    # connection and a request for ever: no timeout while the body was read
    import asyncio

    from dedup.index import Index
    from dedup.service import create_app

    async def receive():
        if not parts:
            await asyncio.sleep(3600)  # the rest never comes
        return parts.pop(0)

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/check", "raw_path": b"/v1/check", "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000"),
                         (b"authorization", f"Bearer {TOKEN}".encode())],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    with Index.open(str(tmp_path / "i.db")) as index:
        # (body parts, whether the last one says more follows): half a body, none, a whole one
        for given, stalls, status in (([b'{"id": "a", '], True, 408), ([], True, 408),
                                      ([b'{"id": "a", ', b'"text": "Some words."}'], False, 200)):
            parts = [{"type": "http.request", "body": p, "more_body": k < len(given) - 1 or stalls}
                     for k, p in enumerate(given)]
            sent.clear()
            app = create_app(index, token=TOKEN, body_timeout=0.2)
            asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
            assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == status
            if status == 408:
                body = json.loads(sent[1]["body"])
                assert body["title"] == "Request Timeout" and "did not arrive within 0.2 s" in body["detail"]
                assert (b"connection", b"close") in sent[0]["headers"]


# --- tester's findings (session 16) -------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "on", "true", "no", "false", 1, 0, "1", 1.0, None],
                         ids=["yes", "on", "true-string", "no", "false-string", "1", "0", "1-string", "1.0", "null"])
def test_add_and_relate_take_only_json_booleans(server, ns, value):
    # "add": "yes" (or "on", "true", 1) was read as true and admitted the article; "relate": "no"
    # was read as false: a client's typo changed what the index stored
    with server.client() as c:
        before = c.get("/v1/stats").json()
        words = "must be true or false (a JSON boolean), not "
        assert_problem(c.post("/v1/check", json={**art(1, ns), "add": value}), 422, "add: " + words)
        assert_problem(c.post("/v1/check/batch", json={"documents": [art(2, ns)], "add": value}), 422, "add: " + words)
        assert_problem(c.post("/v1/documents", json={"documents": [art(3, ns)], "relate": value}), 422,
                       "relate: " + words)
        after = c.get("/v1/stats").json()
        assert (after["documents"], after["audit_entries"]) == (before["documents"], before["audit_entries"])
        r = c.post("/v1/check", json={**art(4, ns), "add": False})
        assert r.status_code == 200 and r.json()["results"][0]["added"] is False


def test_two_authorization_headers_are_refused_whatever_their_order(server):
    # the first Authorization header was read: the right token then a wrong one got 200, the
    # reverse 401; a request that says two things about who sends it is refused either way
    good, bad = ("Authorization", f"Bearer {TOKEN}"), ("Authorization", "Bearer nope")
    with server.client(token=None) as anon:
        for headers in ([good, bad], [bad, good], [good, good]):
            r = anon.get("/v1/stats", headers=headers)
            assert_problem(r, 401, "send one Authorization header (this request has 2)")
            assert r.headers["www-authenticate"] == "Bearer"
        assert anon.get("/v1/stats", headers=[good]).status_code == 200
