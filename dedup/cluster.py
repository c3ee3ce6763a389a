"""Relations -> stories (derived copies) and events (independent reports), with reprint chains.

Within a story the origin and the direction of each copy are inferred from evidence,
each piece stated on the edge:

* publication times, when both documents have one (earlier is the source);
* wire credits: a primary credit ("told AFP", "(Reuters) -") marks the agency's own
  copy; a document that only cites the agency, or drops the credit, is downstream;
* containment asymmetry: a copy trimmed from the source is contained in it, not the
  reverse;
* the hub: the origin shares material with every copy; copies of copies share it with
  their parent only.

The origin is a member that carries the story (a duplicate, reprint or rewrite of another
member), not one that only shares passages with it (``partial``): an article of its own
around an excerpt of the story, which its length and its own wire credit could otherwise
make look like the source.

The edges of a story form a tree rooted at its origin. Events group stories by their
same-event links with average linkage (``event_clusters``), not by plain connectivity.

Pure: no I/O. Ties are broken by id so the output is deterministic.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .credits import Credit, agencies
from .records import Document, Edge, Event, Relation, RelationKind, Story

# Weights of the direction evidence (log-odds-like; a sum of 0 means "no idea").
W_TIME = 3.0
W_CREDIT = 2.0
W_CONTAINMENT = 1.0
CONTAINMENT_GAP = 0.2  # |c(a in b) - c(b in a)| below this says nothing about direction
# ... nor does it when neither side is mostly inside the other: an article that embeds an
# excerpt of a shorter one holds more of it (31%) than it gives (9%), a difference of lengths,
# not a trimmed copy. Syndication corpus (benchmarks/syndication.py): trimmed reprints are
# 0.79 contained in their source at the 10th percentile; excerpt hosts and their sources, at
# most 0.49 either way (8% of those pairs voted for the host as the source, 1% the other way).
CONTAINED = 0.6
W_HUB = 0.5  # per derived relation the member has beyond its first
# Two groups of reports are one event when at least this share of the pairs across them
# are same-event links (average linkage): a majority, not one bridge.
EVENT_LINK_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class _Vote:
    source: str
    copy: str
    weight: float
    why: str
    summary: str = ""  # the same evidence said once for several copies, with {n} and {copies}


# Copies named in one line of an origin's evidence before "and n more".
MAX_NAMED = 5


def _summarise(votes: list[_Vote]) -> list[str]:
    """An origin's evidence, one line per kind of evidence when it holds for several
    copies (a wire story with twenty reprints has one credit line, not twenty)."""
    out: list[str] = []
    by_summary: dict[str, list[_Vote]] = defaultdict(list)
    for v in votes:
        by_summary[v.summary or v.why].append(v)
    for key, group in by_summary.items():
        if len(group) == 1 or not group[0].summary:  # a line without a summary is its own key
            out.append(group[0].why)
            continue
        copies = sorted({v.copy for v in group})
        named = ", ".join(copies[:MAX_NAMED]) + (f" and {len(copies) - MAX_NAMED} more" if len(copies) > MAX_NAMED else "")
        out.append(key.format(n=len(copies), copies=named))
    return out


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else None  # naive times cannot be compared across sources


def _votes(rel: Relation, docs: dict[str, Document], credits: dict[str, tuple[Credit, ...]]) -> list[_Vote]:
    a, b = rel.a, rel.b
    out: list[_Vote] = []
    ta, tb = _parse_time(docs[a].published), _parse_time(docs[b].published)
    if ta and tb and ta != tb:
        src, cp = (a, b) if ta < tb else (b, a)
        out.append(_Vote(src, cp, W_TIME, f"{src} was published first ({min(ta, tb).isoformat()})"))
    pa = agencies(credits.get(a, ()), primary=True)
    pb = agencies(credits.get(b, ()), primary=True)
    for src, cp, prim in ((a, b, pa), (b, a, pb)):
        if prim and not (pa if cp == a else pb):
            names = ", ".join(sorted(prim))
            cited = prim & agencies(credits.get(cp, ()), primary=False)
            tail = f"{cp} only cites {', '.join(sorted(cited))}" if cited else f"{cp} has no such credit"
            many = f"{{n}} other members only cite it" if cited else f"{{n}} other members have no such credit"
            out.append(_Vote(src, cp, W_CREDIT, f"{src} carries the agency's own credit ({names}); {tail}",
                             f"{src} carries the agency's own credit ({names}); {many}: {{copies}}"))
    cab, cba = rel.scores.containment_ab, rel.scores.containment_ba
    if abs(cab - cba) >= CONTAINMENT_GAP and max(cab, cba) >= CONTAINED:
        # The side more contained in the other is the trimmed copy.
        src, cp = (b, a) if cab > cba else (a, b)
        out.append(
            _Vote(src, cp, W_CONTAINMENT, f"{cp} is contained in {src} ({max(cab, cba):.0%} vs {min(cab, cba):.0%})")
        )
    return out


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def components(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of an undirected graph given by its edges, each sorted."""
    uf = _UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in uf.parent:
        groups[uf.find(x)].append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


def event_clusters(links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Groups of nodes (stories) that report one event, from their same-event links.

    Same-event links are looser than copies: reports on one beat (an election campaign, a
    trial) share names with their neighbours, and joining every linked pair chains a whole
    beat into one "event". Groups are grown by average linkage instead: two groups merge
    while at least EVENT_LINK_SHARE of the node pairs across them are linked, most linked
    first. A node left alone then joins the group it shares the largest share of links
    with, without bringing others along, so every linked node is in some group. Each group
    sorted; groups ordered as ``components``.
    """
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in links:
        if a != b:
            adj[a].add(b)
            adj[b].add(a)
    # Clusters are numbered; a merge retires two numbers and opens a new one, so a heap
    # entry whose clusters are both alive is current.
    members: dict[int, list[str]] = {}
    of: dict[str, int] = {}
    for k, n in enumerate(sorted(adj)):
        members[k] = [n]
        of[n] = k
    counts: dict[int, dict[int, int]] = {k: {of[m]: 1 for m in adj[members[k][0]]} for k in members}
    heap: list[tuple[float, str, str, int, int]] = []

    def push(x: int, y: int) -> None:
        share = counts[x][y] / (len(members[x]) * len(members[y]))
        if share >= EVENT_LINK_SHARE:
            first_x, first_y = sorted((members[x][0], members[y][0]))
            heapq.heappush(heap, (-share, first_x, first_y, x, y))

    for x in members:
        for y in counts[x]:
            if x < y:
                push(x, y)
    next_id = len(members)
    while heap:
        _, _, _, x, y = heapq.heappop(heap)
        if x not in members or y not in members:
            continue
        z, next_id = next_id, next_id + 1
        members[z] = sorted(members.pop(x) + members.pop(y))
        cx, cy = counts.pop(x), counts.pop(y)
        merged: dict[int, int] = defaultdict(int)
        for c in (cx, cy):
            for n, k in c.items():
                if n not in (x, y):
                    merged[n] += k
        counts[z] = dict(merged)
        for n, k in merged.items():
            nc = counts[n]
            nc.pop(x, None)
            nc.pop(y, None)
            nc[z] = k
            push(z, n)
    groups = {k: list(v) for k, v in members.items() if len(v) > 1}
    for k, v in members.items():
        if len(v) == 1 and counts[k]:
            # Two linked singletons would have merged: the best neighbour is a group.
            best = min(counts[k], key=lambda n: (-counts[k][n] / len(members[n]), members[n][0]))
            groups[best].append(v[0])
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


def _story(
    members: list[str],
    rels: list[Relation],
    docs: dict[str, Document],
    credits: dict[str, tuple[Credit, ...]],
) -> tuple[str, tuple[Edge, ...], tuple[str, ...]]:
    votes = [v for r in rels for v in _votes(r, docs, credits)]
    degree: dict[str, int] = defaultdict(int)
    for r in rels:
        degree[r.a] += 1
        degree[r.b] += 1
    # Hosts (members whose every relation in the story is partial) come after the members
    # that carry the story, when there are any: the origin is one of those. What a host and a
    # carrier say of each other (the host's own credit, its length) is about the host's own
    # article, not about where the story started, and does not rank the carriers.
    kinds: dict[str, set[RelationKind]] = defaultdict(set)
    for r in rels:
        kinds[r.a].add(r.kind)
        kinds[r.b].add(r.kind)
    hosts = {m for m in members if kinds[m] == {RelationKind.PARTIAL}}
    if len(hosts) == len(members):
        hosts = set()
    score: dict[str, float] = {m: W_HUB * max(0, degree[m] - 1) for m in members}
    unranked = dict(score)  # with every vote: where the members stood before hosts were told apart
    for v in votes:
        unranked[v.source] += v.weight
        unranked[v.copy] -= v.weight
        if (v.source in hosts) == (v.copy in hosts):
            score[v.source] += v.weight
            score[v.copy] -= v.weight
    order = sorted(members, key=lambda m: (m in hosts, -score[m], m))
    origin = order[0]
    rank = {m: i for i, m in enumerate(order)}
    origin_why = _summarise([v for v in votes if v.source == origin])
    if degree[origin] > 1 and len(members) > 2:
        origin_why.append(f"{origin} shares material with {degree[origin]} of the {len(members) - 1} other members")
    passed = sorted(h for h in hosts if (-unranked[h], h) < (-unranked[origin], origin))  # would have been first
    if passed:
        named = ", ".join(passed[:MAX_NAMED]) + (f" and {len(passed) - MAX_NAMED} more" if len(passed) > MAX_NAMED else "")
        origin_why.append(f"{named} only share{'s' if len(passed) == 1 else ''} passages with the other members "
                          "(partial), in an article of its own: not the story's origin")
    if not origin_why:
        origin_why.append("no direction evidence; first by id")

    # Neighbours and votes per pair, so a story of thousands of members (a scan of 100k
    # documents has them) costs its edges, not members x members x votes.
    by_pair = {frozenset((r.a, r.b)): r for r in rels}
    nbrs: dict[str, set[str]] = defaultdict(set)
    for r in rels:
        if r.a != r.b:
            nbrs[r.a].add(r.b)
            nbrs[r.b].add(r.a)
    votes_of: dict[frozenset[str], list[_Vote]] = defaultdict(list)
    for v in votes:
        votes_of[frozenset((v.source, v.copy))].append(v)
    # The edges form a tree rooted at the origin: members are placed in the story's order,
    # each under its best relation to a member already placed. A member linked only to
    # members ranked after it waits until one of them is placed (taking its best link to
    # any later member could pair two members as each other's source, cut off from the
    # origin). When every member has an earlier-ranked neighbour, this is plain rank order.
    edges: list[Edge] = []
    placed = {origin}
    ready = [(rank[n], n) for n in nbrs[origin]]
    heapq.heapify(ready)
    while ready:
        _, m = heapq.heappop(ready)
        if m in placed:
            continue
        parents = [p for p in nbrs[m] if p in placed]
        parent = max(parents, key=lambda p: (by_pair[frozenset((p, m))].score, -rank[p]))
        placed.add(m)
        for n in nbrs[m]:
            if n not in placed:
                heapq.heappush(ready, (rank[n], n))
        rel = by_pair[frozenset((parent, m))]
        why = votes_of[frozenset((parent, m))]
        net = sum(v.weight if v.source == parent else -v.weight for v in why)
        if m in hosts and parent not in hosts:
            fallback = (f"{m} only shares passages with the story (partial), so it is placed under it; "
                        "which side took the passage from the other is not known")
        elif rank[parent] < rank[m]:
            fallback = "direction follows the story's order"
        else:
            fallback = f"linked to the rest of the story only through {parent}"
        evidence = tuple(v.why for v in why if v.source == parent) or (fallback,)
        confidence = 0.5 + 0.5 * (net / (net + 2.0)) if net > 0 else 0.5
        edges.append(Edge(parent, m, rel.kind, round(confidence, 3), evidence))
    edges.sort(key=lambda e: rank[e.copy])
    return origin, tuple(edges), tuple(origin_why)


def build_stories(
    relations: Sequence[Relation],
    docs: Sequence[Document],
    *,
    credits_of: Callable[[Document], tuple[Credit, ...]],
) -> tuple[tuple[Story, ...], tuple[Event, ...]]:
    """Stories from derived relations, events from same-event links between stories."""
    by_id = {d.id: d for d in docs}
    derived = [r for r in relations if r.kind.derived]
    story_groups = [g for g in components((r.a, r.b) for r in derived) if len(g) > 1]
    story_of: dict[str, int] = {}
    for k, g in enumerate(story_groups):
        for m in g:
            story_of[m] = k
    rels_of: dict[int, list[Relation]] = defaultdict(list)
    for r in derived:
        rels_of[story_of[r.a]].append(r)

    # Events: same-event links between stories (a document outside any story is its own).
    def node(doc_id: str) -> str:
        return f"s{story_of[doc_id]}" if doc_id in story_of else f"d:{doc_id}"

    event_groups = event_clusters(
        (node(r.a), node(r.b)) for r in relations if r.kind is RelationKind.SAME_EVENT and node(r.a) != node(r.b)
    )
    singletons = sorted({n[2:] for g in event_groups for n in g if n.startswith("d:")})

    credits = {m: credits_of(by_id[m]) for g in story_groups for m in g}
    stories: list[Story] = []
    sid: dict[str, str] = {}
    for k, g in enumerate(story_groups):
        origin, edges, why = _story(g, rels_of[k], by_id, credits)
        story_id = f"story-{len(stories) + 1}"
        sid[f"s{k}"] = story_id
        stories.append(Story(story_id, tuple(g), origin, edges, why))
    for d in singletons:
        story_id = f"story-{len(stories) + 1}"
        sid[f"d:{d}"] = story_id
        stories.append(Story(story_id, (d,), d, (), ("the only member",)))

    members_of = {s.id: s.members for s in stories}
    events = []
    for g in event_groups:
        ids = sorted(sid[n] for n in g)
        members = tuple(sorted(m for s in ids for m in members_of[s]))
        events.append(Event(f"event-{len(events) + 1}", tuple(ids), members))
    return tuple(stories), tuple(events)
