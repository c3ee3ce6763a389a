"""HTTP pre-ingest filter: `dedup serve` (FastAPI on uvicorn) over one index.

    POST   /v1/check                one article: is it already indexed? ("add": true admits it when new)
    POST   /v1/check/batch          many articles at once, each decided in order
    POST   /v1/documents            insert articles unconditionally (one transaction for the batch)
    GET    /v1/documents/{id}       an indexed article
    DELETE /v1/documents/{id}       remove one
    GET    /v1/stats                counts, parameters, size
    GET    /v1/audit                the decision log (page with ?after=SEQ&limit=N)
    GET    /healthz                 liveness and the index's reachability
    GET    /openapi.json            this API (committed as docs/openapi.json)

Article text goes through the same cleaning as files do (boilerplate lines
stripped, several stories split into ``id#k``), so the answers equal
`dedup check`'s. Every answer is in the index's audit log before the response
is sent, and a document reported ``added`` is committed: it survives a kill -9
of the service.

Errors are RFC 9457 problem objects (``application/problem+json``). With a
token, every /v1 route needs ``Authorization: Bearer TOKEN``. Request bodies
over ``max_body`` bytes get 413.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .errors import DedupError, IndexCorruptError, IndexMissingError, InputError, StoreError
from .index import MAX_ID_LENGTH, Index, validate_id
from .index.answers import decision_to_dict, document_to_dict, skipped_to_dict, stats_to_dict, audit_to_dict
from .ingest import IngestOptions, document_from_text
from .records import Document, Skipped

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 4 * 1024 * 1024  # bytes per request
MAX_BATCH = 1000  # articles per batch request
MAX_TEXT = 2_000_000  # characters per article

PROBLEM = "application/problem+json"


# --- request and response models ---------------------------------------------------------------

_ID = Field(min_length=1, max_length=MAX_ID_LENGTH, description="Your id for the article; printable, no control characters.")


class Article(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = _ID
    text: str = Field(max_length=MAX_TEXT, description="The article: plain text or HTML.")
    title: str | None = None
    source: str | None = None
    published: str | None = Field(None, description="ISO 8601 when known.")
    url: str | None = None


class CheckRequest(Article):
    add: bool = Field(False, description="Admit the article when it is not a copy of an indexed one (one transaction).")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Article] = Field(min_length=1, max_length=MAX_BATCH)
    add: bool = Field(False, description="check/batch: admit each article that is not a copy.")


class AddRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Article] = Field(min_length=1, max_length=MAX_BATCH)
    relate: bool = Field(True, description="Also record what each one matched (slower).")


class Match(BaseModel):
    id: str
    kind: str
    score: float
    scores: dict[str, float]
    reasons: list[str]
    drift: dict[str, Any] | None


class Answer(BaseModel):
    """One decision; the shape of dedup/schemas/check.v1.json."""

    schema_: str = Field(alias="schema")
    id: str
    decision: str = Field(description="new | duplicate | reprint | rewrite | partial | same-event | skipped")
    added: bool
    updated: bool
    reason: str
    matches: list[Match]
    audit_seq: int | None


class Answers(BaseModel):
    results: list[Answer] = Field(description="One per story of each article (an article holding several stories gives id#1, id#2, ...).")


class StoredArticle(BaseModel):
    id: str
    text: str
    title: str | None
    source: str | None
    published: str | None
    url: str | None
    parent: str | None
    part: int | None


DocId = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH, description="Document id (may contain /)")]


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


_PROBLEMS = {
    400: {"model": Problem, "description": "Bad request (malformed JSON, bad id)"},
    401: {"model": Problem, "description": "Missing or wrong bearer token"},
    413: {"model": Problem, "description": "Request body too large"},
    422: {"model": Problem, "description": "Request does not match the schema"},
}


def problem(status: int, title: str, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type=PROBLEM,
        headers=headers,
    )


class _BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = problem(413, "Payload Too Large", f"request bodies are limited to {self.limit} bytes; split the batch")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await too_big(scope, receive, send)
        chunks, size, more = [], 0, True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            chunks.append(msg.get("body", b""))
            size += len(chunks[-1])
            more = msg.get("more_body", False)
            if size > self.limit:
                return await too_big(scope, receive, send)
        body = b"".join(chunks)
        sent = False
        if scope["method"] == "POST":
            scope = _as_json(scope)

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


def _as_json(scope: dict) -> dict:
    """Every body this API takes is JSON: one sent with another content type (``curl -d``
    sends application/x-www-form-urlencoded, some clients none) is read as JSON anyway."""
    headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"content-type"]
    given = dict(scope.get("headers") or []).get(b"content-type", b"")
    if b"json" in given.split(b";")[0]:
        return scope
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


# --- the app ----------------------------------------------------------------------------------


def create_app(index: Index, *, token: str | None = None, max_body: int = DEFAULT_MAX_BODY,
               ingest: IngestOptions = IngestOptions()) -> FastAPI:
    """The service over an open index. The caller owns the index (and closes it)."""
    app = FastAPI(
        title="dedup pre-ingest filter",
        version=__version__,
        description="Is this article already indexed, and if so how does it relate and what changed? "
        "Answers follow dedup/schemas/check.v1.json; errors are RFC 9457 problem objects.",
    )

    def authorize(request: Request) -> None:
        if token is None:
            return
        got = request.headers.get("authorization", "")
        scheme, _, value = got.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            raise StarletteHTTPException(401, "send Authorization: Bearer <token> with the service's token")

    auth = [Depends(authorize)]

    @app.exception_handler(StarletteHTTPException)
    async def _http_problem(request: Request, exc: StarletteHTTPException):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        titles = {401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large"}
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_problem(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            where = next((e.get("ctx", {}).get("error") for e in errors if e.get("type") == "json_invalid"), "")
            return problem(400, "Bad Request", f"the body is not valid JSON ({where}); send one JSON object")
        if any(e.get("loc") == ("body",) and e.get("type") in ("model_attributes_type", "dict_type", "missing") for e in errors):
            return problem(422, "Unprocessable Content",
                           'the body must be one JSON object such as {"id": "...", "text": "..."} (see /docs)')
        parts = []
        for e in errors[:5]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            parts.append(f"{loc or 'body'}: {e.get('msg')}")
        return problem(422, "Unprocessable Content", "; ".join(parts))

    @app.exception_handler(DedupError)
    async def _dedup_problem(request: Request, exc: DedupError):
        if isinstance(exc, (IndexCorruptError,)):
            return problem(500, "Index Error", str(exc))
        if isinstance(exc, StoreError):
            return problem(503, "Index Unavailable", str(exc))
        return problem(400, "Bad Request", str(exc))

    def documents(articles: Sequence[Article]) -> list[Document | Skipped]:
        out: list[Document | Skipped] = []
        for a in articles:
            validate_id(a.id)
            try:
                out += document_from_text(a.text, id=a.id, title=a.title, source=a.source, published=a.published,
                                          url=a.url, options=ingest)
            except InputError as exc:
                out.append(Skipped(a.id, str(exc)))
        return out

    def decide(items: list[Document | Skipped], add: bool, client: str | None) -> dict:
        docs = [x for x in items if isinstance(x, Document)]
        decided = iter(index.check_many(docs, add=add, client=client))
        return {"results": [skipped_to_dict(x) if isinstance(x, Skipped) else decision_to_dict(next(decided))
                            for x in items]}

    def client_of(request: Request) -> str:
        host = request.client.host if request.client else "?"
        return f"http:{host}"

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict:
        """Cheap: reads the index's metadata (no counting), so it can be polled often."""
        if index.store.read_meta() is None:
            raise StoreError(f"the index at {index.url} has no metadata")
        return {"status": "ok", "backend": index.store.backend}

    @app.post("/v1/check", dependencies=auth, response_model=Answers, responses=_PROBLEMS, tags=["check"])
    def check(body: CheckRequest, request: Request):
        """Decide one article (and with ``add``, admit it when new). Recorded in the audit log."""
        return decide(documents([body]), body.add, client_of(request))

    @app.post("/v1/check/batch", dependencies=auth, response_model=Answers, responses=_PROBLEMS, tags=["check"])
    def check_batch(body: BatchRequest, request: Request):
        """Decide many articles in order; each decision is its own transaction."""
        return decide(documents(body.documents), body.add, client_of(request))

    @app.post("/v1/documents", dependencies=auth, status_code=201, response_model=Answers, responses=_PROBLEMS,
              tags=["documents"])
    def add_documents(body: AddRequest, request: Request):
        """Insert articles whatever they match (same id and text: no-op; new text: update)."""
        items = documents(body.documents)
        docs = [x for x in items if isinstance(x, Document)]
        done = iter(index.add(docs, relate=body.relate, client=client_of(request)))
        return {"results": [skipped_to_dict(x) if isinstance(x, Skipped) else decision_to_dict(next(done))
                            for x in items]}

    @app.get("/v1/documents/{id:path}", dependencies=auth, response_model=StoredArticle, responses=_PROBLEMS,
             tags=["documents"])
    def get_document(id: DocId):
        doc = index.get(validate_id(id))
        if doc is None:
            raise StarletteHTTPException(404, f"no document {id!r} in the index")
        return document_to_dict(doc)

    @app.delete("/v1/documents/{id:path}", dependencies=auth, status_code=204, responses=_PROBLEMS,
                tags=["documents"])
    def delete_document(id: DocId, request: Request):
        if not index.remove(validate_id(id), client=client_of(request)):
            raise StarletteHTTPException(404, f"no document {id!r} in the index")
        return Response(status_code=204)

    @app.get("/v1/stats", dependencies=auth, tags=["service"])
    def stats() -> dict:
        return stats_to_dict(index.stats())

    @app.get("/v1/audit", dependencies=auth, tags=["service"])
    def audit(
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        id: Annotated[str | None, Query(max_length=MAX_ID_LENGTH)] = None,
    ) -> dict:
        """Recorded decisions, oldest first. Page on with ``after`` = the last ``seq`` you got."""
        entries = index.audit(id=validate_id(id) if id is not None else None, after=after, limit=limit)
        return {"entries": [audit_to_dict(e) for e in entries], "next_after": entries[-1].seq if entries else after}

    app.add_middleware(_BodyLimit, limit=max_body)
    return app


def openapi_document() -> str:
    """The OpenAPI document as committed in docs/openapi.json (`dedup serve --openapi`)."""
    app = create_app(None)  # type: ignore[arg-type]  # routes are only described, never called
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_ENV = "DEDUP_SERVE_CONFIG"


def app_from_env() -> FastAPI:
    """App factory for uvicorn worker processes (`dedup serve --workers N`): settings from the environment."""
    import os

    cfg = json.loads(os.environ[_ENV])
    index = Index.open(cfg["url"], create=False)  # serve() opened (or created) it before forking
    app = create_app(index, token=cfg.get("token"), max_body=cfg["max_body"])
    app.router.on_shutdown.append(index.close)
    return app


def serve(url: str, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY, workers: int = 1, log_level: str = "info", create: bool = False) -> None:
    """Run the service until interrupted (uvicorn). With ``workers`` > 1, that many processes share the
    port and the index (the store serialises their decisions as it does for any writers).

    An index that does not exist is an error (IndexMissingError naming it and how to build it) unless
    ``create``: a mistyped path must not give a service that answers "new" to everything."""
    import os

    import uvicorn

    try:  # fail here (not in a worker) on a missing index, a bad URL or parameters
        Index.open(url, create=create).close()
    except IndexMissingError as exc:
        raise IndexMissingError(f"{exc}, or start an empty one with `dedup serve --create`") from None
    if workers > 1:
        os.environ[_ENV] = json.dumps({"url": url, "token": token, "max_body": max_body})
        uvicorn.run("dedup.service:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, access_log=False)
        return
    index = Index.open(url, create=False)
    try:
        app = create_app(index, token=token, max_body=max_body)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
    finally:
        index.close()
