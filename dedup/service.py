"""HTTP pre-ingest filter: `dedup serve` (FastAPI on uvicorn) over one index.

    POST   /v1/check                one article: is it already indexed? ("add": true admits it when new)
    POST   /v1/check/batch          many articles at once, each decided in order
    POST   /v1/documents            insert articles unconditionally (all or nothing: one transaction)
    GET    /v1/documents/{id}       an indexed article
    DELETE /v1/documents/{id}       remove one
    GET    /v1/stats                counts, parameters, size
    GET    /v1/audit                the decision log (page with ?after=SEQ&limit=N)
    GET    /healthz                 liveness and the index's reachability
    GET    /openapi.json            this API (committed as docs/openapi.json)

Article text goes through the same cleaning as files do (boilerplate lines
stripped, several stories split into ``id#k``), so the answers equal
`dedup check`'s. Every decision, insert and removal is in the index's audit log
before the response is sent, and a document reported ``added`` is committed: it
survives a kill -9 of the service. An article answered ``skipped`` (empty, or
nothing left once its boilerplate is removed) was neither decided nor stored and
is not in the log (its ``audit_seq`` is null), as with `dedup check`.
/v1/documents is all or nothing: an error answer leaves nothing stored and
nothing recorded. /v1/check/batch with ``add`` commits each decision on its own,
in order (an error answer, such as a 503, may follow some that were committed).

Errors are RFC 9457 problem objects (``application/problem+json``). With a
token, every /v1 route needs ``Authorization: Bearer TOKEN`` (one such header),
checked before any of the body is read (a declared Content-Length over ``max_body`` gets its 413
first). Request bodies over ``max_body`` bytes get 413. An id in a path or query
is percent-encoded UTF-8 and is read from the raw request: a malformed escape or
a control character (``%0A`` too) is a bad id (400), as in a body.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match as RouteMatch, Route

from . import __version__
from .errors import DedupError, IndexCorruptError, IndexMissingError, InputError, StoreError
from .index import MAX_ID_LENGTH, Index, validate_id
from .index.answers import decision_to_dict, document_to_dict, skipped_to_dict, stats_to_dict, audit_to_dict
from .ingest import IngestOptions, document_from_text
from .records import Document, Skipped

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 4 * 1024 * 1024  # bytes per request
# Seconds from a request's headers to the last byte of its body: a client that sends a body
# slower than that (or stops half-way) gets 408, and no longer holds a connection for ever.
DEFAULT_BODY_TIMEOUT = 30.0
MAX_BATCH = 1000  # articles per batch request
MAX_TEXT = 2_000_000  # characters per article
MAX_SEQ = 2**63 - 1  # the largest audit seq a store holds (SQLite INTEGER, PostgreSQL bigint)

PROBLEM = "application/problem+json"


# --- request and response models ---------------------------------------------------------------

# validate_id's rule as a JSON Schema pattern, for the OpenAPI document only (an id that breaks it
# gets a 400 saying why): no control characters, no white space (str.isspace) at either end, at
# most 512 characters, or past them only as the id of a story split from an article, {id}#{k}.
_SPACE = r"\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_EDGE, _INNER = rf"[^\u0000-\u0020\u007f{_SPACE}]", r"[^\u0000-\u001f\u007f]"
ID_PATTERN = rf"^{_EDGE}(?:{_INNER}{{0,{MAX_ID_LENGTH - 2}}}{_EDGE})?(?:#[1-9][0-9]{{0,8}})?$"
# A new article's id (validate_id(new=True), str.isprintable): also no C1 controls, bidi marks,
# zero-width or non-space separators (the pattern names the common ones; unassigned and
# private-use characters are refused too).
_INVISIBLE = r"\u0080-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff"
_NEW_EDGE, _NEW_INNER = rf"[^\u0000-\u0020\u007f{_INVISIBLE}]", rf"[^\u0000-\u001f\u007f{_INVISIBLE}]"
NEW_ID_PATTERN = rf"^{_NEW_EDGE}(?:{_NEW_INNER}{{0,{MAX_ID_LENGTH - 2}}}{_NEW_EDGE})?(?:#[1-9][0-9]{{0,8}})?$"

_ID = Field(min_length=1, max_length=MAX_ID_LENGTH, json_schema_extra={"pattern": NEW_ID_PATTERN},
            description="Your id for the article; printable: no control, invisible or layout characters (bidi "
                        "marks, zero-width spaces), no spaces at either end.")


class Article(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = _ID
    text: str = Field(max_length=MAX_TEXT, description="The article: plain text or HTML.")
    title: str | None = None
    source: str | None = None
    published: str | None = Field(None, description="ISO 8601 when known.")
    url: str | None = None


# The switches are JSON booleans only: pydantic's default reads "yes", "on", "true", 1 (and "no", 0)
# as booleans, so a client's typo or a form-style value admitted articles it meant only to check.
class CheckRequest(Article):
    add: StrictBool = Field(False, description="Admit the article when it is not a copy of an indexed one (one transaction).")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Article] = Field(min_length=1, max_length=MAX_BATCH)
    add: StrictBool = Field(False, description="check/batch: admit each article that is not a copy.")


class AddRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Article] = Field(min_length=1, max_length=MAX_BATCH)
    relate: StrictBool = Field(True, description="Also record what each one matched (slower).")


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
    replaced_unrelated: bool = Field(
        default=False, description="updated with a text unrelated to the one it replaced: two articles given one id")
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


DocId = Annotated[str, Path(
    min_length=1, json_schema_extra={"pattern": ID_PATTERN},
    description="Document id as percent-encoded UTF-8 (it may contain /); the stories split from one article are "
    "{id}#{k} (send # as %23). Read from the raw path: a malformed escape or a control character is a 400.")]


class Stats(BaseModel):
    backend: str = Field(description="sqlite or postgresql")
    url: str = Field(description="The index, without its password")
    documents: int
    band_postings: int = Field(description="LSH band keys stored, one per document and band")
    sample_postings: int = Field(description="Winnowed shingle samples stored (containment)")
    audit_entries: int
    schema_version: int
    params: dict[str, int] = Field(description="The fingerprint parameters the index was built with")
    size_bytes: int | None = Field(description="On disk, when the backend can tell")
    copy_band_postings: int = Field(description="Band keys kept for refused rewrites and partials, under the story "
                                                "they copy (docs/index.md)")
    copy_sample_postings: int = Field(description="Samples kept for refused rewrites and partials")


class AuditMatch(BaseModel):
    id: str
    kind: str = Field(description="The relation: duplicate, reprint, rewrite, partial or same-event")
    score: float


class AuditEntry(BaseModel):
    seq: int = Field(description="Increasing; page on with ?after=SEQ")
    at: str = Field(description="ISO 8601 UTC, milliseconds")
    id: str
    action: str = Field(description="check, add, update, unchanged or remove")
    decision: str = Field(description="new, a relation, or for a removal: removed or absent")
    added: bool
    updated: bool
    reason: str
    matches: list[AuditMatch]
    client: str | None = Field(description="Who asked: cli, http:ADDRESS for an HTTP client, or what the caller of the library said")


class AuditPage(BaseModel):
    entries: list[AuditEntry] = Field(description="Oldest first")
    next_after: int = Field(description="Pass as ?after= for the next page (the last seq here)")


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


_PROBLEM_TEXT = {
    400: "Bad request: a body that is not UTF-8 JSON, or an id that is not a plain id (control characters, "
    "spaces at either end, too long, not UTF-8)",
    401: "Missing or wrong bearer token (a service started with --token)",
    404: "No document with this id is indexed",
    408: "The request body did not arrive in time (--body-timeout)",
    413: "Request body too large (--max-body)",
    422: "Request does not match the schema",
    500: "The index is damaged (the detail says how); it needs a rebuild",
    503: "The index cannot be reached, or stayed busy; retry",
}
_TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           408: "Request Timeout", 413: "Payload Too Large", 422: "Unprocessable Content", 500: "Index Error",
           503: "Index Unavailable"}


def _problems(*statuses: int) -> dict:
    """OpenAPI responses: a Problem for each status (:func:`_contract` makes them application/problem+json)."""
    return {s: {"model": Problem, "description": _PROBLEM_TEXT[s]} for s in statuses}


_BODY_PROBLEMS = _problems(400, 401, 408, 413, 422, 500, 503)
_ID_PROBLEMS = _problems(400, 401, 404, 422, 500, 503)


def problem(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    """An RFC 9457 problem answer; its title is the status's (``_TITLES``)."""
    return JSONResponse(
        {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail},
        status_code=status,
        media_type=PROBLEM,
        headers=headers,
    )


class _Gate:
    """ASGI middleware in front of every route: 413 for a declared body over ``limit`` bytes, then
    (with a ``token``) 401 for a /v1 request without it, both before any of the body is read; then
    the body is read, 413 when it streams past ``limit``, 408 when it is not all there within
    ``body_timeout`` seconds, and handed on to the app."""

    def __init__(self, app, limit: int, token: str | None = None,
                 body_timeout: float = DEFAULT_BODY_TIMEOUT) -> None:
        self.app, self.limit, self.token, self.body_timeout = app, limit, token, body_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "HEAD":  # a GET without its body (health checks and monitors send HEAD)
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        headers = scope.get("headers") or []
        declared = dict(headers).get(b"content-length")
        # Answers given before the body is read (or all of it) close the connection: the client may
        # still be sending, and a trickled body would otherwise hold it open past any timeout.
        too_big = problem(413, f"request bodies are limited to {self.limit} bytes; split the batch",
                          {"Connection": "close"})
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await too_big(scope, receive, send)
        if self.token is not None and _needs_token(scope):
            given = [v for k, v in headers if k == b"authorization"]
            if len(given) != 1 or not _authorized(given[0], self.token):
                detail = ("send Authorization: Bearer <token> with the service's token" if len(given) < 2 else
                          f"send one Authorization header (this request has {len(given)}): "
                          "Authorization: Bearer <token> with the service's token")
                unauthorized = problem(401, detail, {"WWW-Authenticate": "Bearer", "Connection": "close"})
                return await unauthorized(scope, receive, send)
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await self._body(receive)
        except TimeoutError:
            late = problem(408, f"the request body did not arrive within {self.body_timeout:g} s; "
                                "send it at once (a slow or stalled upload is cut off)", {"Connection": "close"})
            return await late(scope, receive, send)
        if body is None:  # the client went away
            return
        if len(body) > self.limit:
            return await too_big(scope, receive, send)
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

    async def _body(self, receive) -> bytes | None:
        """The request body; None when the client disconnects; cut short past ``limit``."""
        chunks, size, more = [], 0, True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return None
            chunks.append(msg.get("body", b""))
            size += len(chunks[-1])
            more = msg.get("more_body", False)
            if size > self.limit:
                break
        return b"".join(chunks)


def _without_body(send):
    """``send`` for the answer to a HEAD request: the GET answer's status and headers (its
    Content-Length too, as HTTP allows), no body bytes."""
    async def head_send(message):
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return head_send


def _needs_token(scope: dict) -> bool:
    """A /v1 route (the path as routed: after the root path, percent-escapes decoded)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    return path == "/v1" or path.startswith("/v1/")


def _authorized(got: bytes, token: str) -> bool:
    """An Authorization header's value is ``Bearer <token>`` (any case of "Bearer"). The caller
    refuses a request with two such headers: which one a proxy or server reads first differs, and
    the first one used to win (the right token then a wrong one was let in, the reverse was not)."""
    scheme, _, value = got.partition(b" ")
    return scheme.lower() == b"bearer" and hmac.compare_digest(value.strip(), token.encode())


def _as_json(scope: dict) -> dict:
    """Every body this API takes is JSON: one sent with another content type (``curl -d``
    sends application/x-www-form-urlencoded, some clients none) is read as JSON anyway."""
    headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"content-type"]
    given = dict(scope.get("headers") or []).get(b"content-type", b"")
    if b"json" in given.split(b";")[0]:
        return scope
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


# --- ids from the raw request -------------------------------------------------------------------


class _Rest(Convertor[str]):
    """The rest of the path, newlines included. Starlette's ``path`` convertor (``.*``) stops at a
    newline, and the route pattern's ``$`` matches before a trailing one: /v1/documents/x%0A was
    routed as the id "x" and /v1/documents/a%0Ab not at all (a 404 before the token was checked)."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("dedup_rest", _Rest())


def _utf8_id(data: bytes) -> str:
    """An id's percent-decoded bytes as UTF-8, strictly: the server's own decoding turns each
    malformed byte into U+FFFD, so /v1/documents/%FF and /v1/documents/%FE both named the id U+FFFD."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = data.decode("utf-8", "backslashreplace")
        raise InputError(f"document id '{shown}' is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "send the id's UTF-8 bytes, percent-encoded") from None


_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _unquote_id(raw: bytes, shown: bytes | None = None) -> bytes:
    """An id's percent-encoded bytes, decoded strictly: a % not followed by two hex digits is an
    error (``unquote_to_bytes`` keeps it as it is, so /v1/documents/%ZZ named the id "%ZZ").
    ``shown``: the id as the client sent it, for the message (``raw`` by default)."""
    bad = _BAD_ESCAPE.search(raw)
    if bad is not None:
        sent = (raw if shown is None else shown).decode("utf-8", "backslashreplace")
        escape = re.match(rb"%[^%]{0,2}", raw[bad.start():]).group().decode("utf-8", "backslashreplace")
        raise InputError(f"document id '{sent}' has a malformed percent-escape ('{escape}' at offset {bad.start()}: "
                         "a % must be followed by two hex digits); send a % in an id as %25")
    return unquote_to_bytes(raw)


def path_id(request: Request) -> str:
    """The document id of a /v1/documents/{id} request, from the raw path (percent-decoded bytes,
    strictly: a malformed escape and bytes that are not UTF-8 are refused), validated like any id.
    Raises InputError."""
    raw = request.scope.get("raw_path")
    if raw is None:  # a server that does not pass the raw path: its decoding is all there is
        return validate_id(request.path_params["id"])
    _, found, data = raw.partition(b"/v1/documents/")
    if not found:  # the route's own name was percent-encoded (/v1/%64ocuments/x)
        _, _, data = _unquote_id(raw).partition(b"/v1/documents/")
        return validate_id(_utf8_id(data))
    return validate_id(_utf8_id(_unquote_id(data)))


def query_id(request: Request) -> str | None:
    """The ``id`` of the query string (the last one, as the query parser takes it), read from the
    raw query as :func:`path_id` reads the path; None when there is none. Raises InputError."""
    found = None
    for pair in request.scope.get("query_string", b"").split(b"&"):
        name, _, value = pair.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")) == b"id":
            found = value
    if found is None:
        return None
    return validate_id(_utf8_id(_unquote_id(found.replace(b"+", b" "), shown=found)))


def _unparsed_body(cause: BaseException) -> str:
    """What is wrong with a body FastAPI could not parse (it says "There was an error parsing the
    body" whatever the cause: JSONDecodeError alone gets its own answer)."""
    send = 'send one JSON object such as {"id": "...", "text": "..."}'
    if isinstance(cause, UnicodeDecodeError):
        return (f"the body is not UTF-8 JSON (byte 0x{cause.object[cause.start]:02x} at offset {cause.start} is not "
                f"{cause.encoding}); send the JSON as UTF-8")
    if isinstance(cause, RecursionError):
        return f"the body is nested too deeply (arrays or objects hundreds of levels deep; a request needs 3); {send}"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return (f"a number in the body has more than {sys.get_int_max_str_digits()} digits, the most a number is "
                f"read with (no field here takes a number); {send}")
    return f"the body is not readable JSON ({type(cause).__name__}: {cause}); {send}"


def _contract(spec: dict, *, token: bool) -> dict:
    """FastAPI's OpenAPI document with what it does not say itself: error responses are
    ``application/problem+json``, and the /v1 routes take the bearer token (required when the
    service has one; without one a service ignores it, so its document marks it optional)."""
    spec.setdefault("components", {})["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The service's token (`dedup serve --token`, or DEDUP_TOKEN): a service started with one "
            "answers 401 to a /v1 request without it; one started without it ignores it.",
        }
    }
    for path, operations in spec["paths"].items():
        for op in operations.values():
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    response["content"] = {PROBLEM: content["application/json"]}
            if path.startswith("/v1/"):
                op["security"] = [{"bearer": []}] if token else [{"bearer": []}, {}]
    return spec


# --- the app ----------------------------------------------------------------------------------


def create_app(index: Index, *, token: str | None = None, max_body: int = DEFAULT_MAX_BODY,
               ingest: IngestOptions = IngestOptions(), body_timeout: float = DEFAULT_BODY_TIMEOUT) -> FastAPI:
    """The service over an open index. The caller owns the index (and closes it)."""
    app = FastAPI(
        title="dedup pre-ingest filter",
        version=__version__,
        description="Is this article already indexed, and if so how does it relate and what changed? "
        "Answers follow dedup/schemas/check.v1.json; errors are RFC 9457 problem objects.",
    )

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = _contract(FastAPI.openapi(app), token=token is not None)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(StarletteHTTPException)
    async def _http_problem(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})  # 405 carries Allow (RFC 9110)
        if exc.status_code == 405:  # Starlette's Allow names the first route of the path only: GET, not DELETE
            allowed = {m for route in app.router.routes if isinstance(route, Route)
                       and route.matches(request.scope)[0] is RouteMatch.PARTIAL for m in route.methods or ()}
            if allowed:
                headers["Allow"] = ", ".join(sorted(allowed | ({"HEAD"} if "GET" in allowed else set())))
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        detail = str(exc.detail)
        if exc.status_code == 400 and exc.__cause__ is not None:  # FastAPI could not parse the body
            detail = _unparsed_body(exc.__cause__)
        return problem(exc.status_code, detail, headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_problem(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            where = next((e.get("ctx", {}).get("error") for e in errors if e.get("type") == "json_invalid"), "")
            return problem(400, f"the body is not valid JSON ({where}); send one JSON object")
        if any(e.get("loc") == ("body",) and e.get("type") in ("model_attributes_type", "dict_type", "missing") for e in errors):
            return problem(422,
                           'the body must be one JSON object such as {"id": "...", "text": "..."} (see /docs)')
        parts = []
        for e in errors[:5]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            msg = e.get("msg")
            if e.get("type") in ("bool_type", "bool_parsing"):
                given = json.dumps(e.get("input"), ensure_ascii=False)
                msg = f"must be true or false (a JSON boolean), not {given if len(given) <= 40 else given[:37] + '...'}"
            parts.append(f"{loc or 'body'}: {msg}")
        return problem(422, "; ".join(parts))

    @app.exception_handler(DedupError)
    async def _dedup_problem(request: Request, exc: DedupError):
        if isinstance(exc, (IndexCorruptError,)):
            return problem(500, str(exc))
        if isinstance(exc, StoreError):
            return problem(503, str(exc))
        return problem(400, str(exc))

    def documents(articles: Sequence[Article]) -> list[Document | Skipped]:
        out: list[Document | Skipped] = []
        for a in articles:
            validate_id(a.id, new=True)
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

    @app.get("/healthz", responses=_problems(500, 503), tags=["service"])
    def healthz() -> dict:
        """Cheap: reads the index's metadata (no counting), so it can be polled often."""
        if index.store.read_meta() is None:
            raise StoreError(f"the index at {index.url} has no metadata")
        return {"status": "ok", "backend": index.store.backend}

    @app.post("/v1/check", response_model=Answers, responses=_BODY_PROBLEMS, tags=["check"])
    def check(body: CheckRequest, request: Request):
        """Decide one article (and with ``add``, admit it when new). Recorded in the audit log."""
        return decide(documents([body]), body.add, client_of(request))

    @app.post("/v1/check/batch", response_model=Answers, responses=_BODY_PROBLEMS, tags=["check"])
    def check_batch(body: BatchRequest, request: Request):
        """Decide many articles in order; each decision is its own transaction."""
        return decide(documents(body.documents), body.add, client_of(request))

    @app.post("/v1/documents", status_code=201, response_model=Answers, tags=["documents"], responses={
        **_BODY_PROBLEMS,
        200: {"model": Answers, "description": "Nothing was stored: every article was skipped (the reason is in its "
                                               "result) or was indexed already with the same text"},
    })
    def add_documents(body: AddRequest, request: Request, response: Response):
        """Insert articles whatever they match (same id and text: no-op; new text: update). All or
        nothing: every id is checked first and the request is one transaction, so an error answer
        leaves nothing stored and nothing in the audit log. 201 when any article was stored, else 200."""
        items = documents(body.documents)
        docs = [x for x in items if isinstance(x, Document)]
        decided = index.add(docs, relate=body.relate, batch=max(len(docs), 1), client=client_of(request))
        if not any(d.added or d.updated for d in decided):
            response.status_code = 200  # 201 said "created" for a batch that stored nothing
        done = iter(decided)
        return {"results": [skipped_to_dict(x) if isinstance(x, Skipped) else decision_to_dict(next(done))
                            for x in items]}

    # {id:dedup_rest}: the id is read from the raw path (path_id); the parameter is declared for the schema.
    @app.get("/v1/documents/{id:dedup_rest}", response_model=StoredArticle, responses=_ID_PROBLEMS,
             tags=["documents"])
    def get_document(id: DocId, request: Request):
        doc_id = path_id(request)
        doc = index.get(doc_id)
        if doc is None:
            raise StarletteHTTPException(404, f"no document {doc_id!r} in the index")
        return document_to_dict(doc)

    @app.delete("/v1/documents/{id:dedup_rest}", status_code=204, responses=_ID_PROBLEMS, tags=["documents"])
    def delete_document(id: DocId, request: Request):
        doc_id = path_id(request)
        if not index.remove(doc_id, client=client_of(request)):
            raise StarletteHTTPException(404, f"no document {doc_id!r} in the index")
        return Response(status_code=204)

    @app.get("/v1/stats", responses=_problems(401, 500, 503), tags=["service"])
    def stats() -> Stats:
        return Stats(**stats_to_dict(index.stats()))

    @app.get("/v1/audit", responses=_problems(400, 401, 422, 500, 503), tags=["service"])
    def audit(
        request: Request,
        after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        id: Annotated[str | None, Query(json_schema_extra={"pattern": ID_PATTERN},
                                        description="Only this document's entries (read from the raw query).")] = None,
    ) -> AuditPage:
        """Recorded decisions, oldest first. Page on with ``after`` = the last ``seq`` you got."""
        entries = index.audit(id=query_id(request), after=after, limit=limit)
        return AuditPage(entries=[AuditEntry(**audit_to_dict(e)) for e in entries],
                         next_after=entries[-1].seq if entries else after)

    app.add_middleware(_Gate, limit=max_body, token=token, body_timeout=body_timeout)
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
    app = create_app(index, token=cfg.get("token"), max_body=cfg["max_body"], body_timeout=cfg["body_timeout"])
    app.router.on_shutdown.append(index.close)
    return app


def serve(url: str, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY, workers: int = 1, log_level: str = "info", create: bool = False,
          body_timeout: float = DEFAULT_BODY_TIMEOUT) -> None:
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
        os.environ[_ENV] = json.dumps({"url": url, "token": token, "max_body": max_body, "body_timeout": body_timeout})
        uvicorn.run("dedup.service:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, access_log=False)
        return
    index = Index.open(url, create=False)
    try:
        app = create_app(index, token=token, max_body=max_body, body_timeout=body_timeout)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
    finally:
        index.close()
