"""Stories and reprint chains: the copy edges of a story form a tree rooted at its origin."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import build_stories
from dedup.records import Document, Relation, RelationKind, Scores


def _rel(a: str, b: str, score: float, cab: float = 0.5, cba: float = 0.5, kind=RelationKind.PARTIAL) -> Relation:
    if b < a:
        a, b, cab, cba = b, a, cba, cab
    return Relation(a, b, kind, score, Scores(0.1, cab, cba, 0.2, 0.0, 0.0, 0.0, 0.3, 0.0))


def _docs(ids, published=None) -> list[Document]:
    published = published or {}
    return [Document(i, f"text of {i}", published=published.get(i)) for i in ids]


def _assert_tree(story) -> None:
    parent = {}
    for e in story.edges:
        assert e.copy not in parent, f"{e.copy} has two sources"
        assert e.copy != story.origin
        parent[e.copy] = e.source
    assert set(parent) == set(story.members) - {story.origin}
    for m in story.members:
        seen = set()
        while m != story.origin:
            assert m not in seen, f"cycle through {m}"
            seen.add(m)
            m = parent[m]


def test_a_member_linked_only_to_later_members_hangs_under_the_origin_side():
    # 'b' ranks second (it has the most links, so the hub bonus lifts it) but its links go
    # to 'c' and 'd' only; 'c' is the one linked to the origin 'a' (dated first).
    rels = [_rel("a", "c", 0.4), _rel("b", "c", 0.9), _rel("b", "d", 0.9), _rel("b", "e", 0.9)]
    times = {"a": "2026-01-01T08:00:00+00:00", "c": "2026-01-01T09:00:00+00:00"}
    stories, _ = build_stories(rels, _docs("abcde", times), credits_of=lambda d: ())
    (story,) = stories
    assert story.origin == "a"
    _assert_tree(story)
    edge = {e.copy: e for e in story.edges}
    assert edge["c"].source == "a"
    assert edge["b"].source == "c"
    assert edge["b"].confidence == 0.5


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_edges_form_a_tree_rooted_at_the_origin(data):
    n = data.draw(st.integers(min_value=2, max_value=12))
    ids = [f"d{i:02d}" for i in range(n)]
    # A random spanning tree keeps the story connected; extra links on top.
    links = {}
    for i in range(1, n):
        j = data.draw(st.integers(min_value=0, max_value=i - 1))
        links[frozenset((ids[i], ids[j]))] = None
    for _ in range(data.draw(st.integers(min_value=0, max_value=2 * n))):
        i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        links[frozenset((ids[i], ids[j]))] = None
    unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
    kinds = st.sampled_from([RelationKind.PARTIAL, RelationKind.REPRINT, RelationKind.REWRITE])
    rels = [_rel(*sorted(pair), data.draw(unit), data.draw(unit), data.draw(unit), data.draw(kinds)) for pair in links]
    stories, _ = build_stories(rels, _docs(ids), credits_of=lambda d: ())
    (story,) = stories
    assert sorted(story.members) == ids
    _assert_tree(story)
    related = set(links)
    assert all(frozenset((e.source, e.copy)) in related for e in story.edges)


def test_the_host_of_an_excerpt_is_not_the_origin_of_the_story_it_quotes():
    # The wire story 'wire' was reprinted ('reprint', trimmed) and rewritten ('rewrite');
    # 'host' is a longer article of its own, with its own wire credit, that embeds three
    # paragraphs of it (partial with each copy that keeps them). 'host' was the origin: its
    # credit outvoted, and its length made 'wire' look contained in it (31% vs 9%).
    from dedup.credits import Credit

    R = RelationKind
    rels = [
        _rel("wire", "reprint", 0.85, 0.7, 1.0, kind=R.REPRINT),  # the reprint lies inside the wire story
        _rel("wire", "rewrite", 0.6, 0.3, 0.3, kind=R.REWRITE),
        _rel("wire", "host", 0.25, 0.31, 0.09),
        _rel("reprint", "host", 0.25, 0.38, 0.09),
    ]
    credits = {"host": (Credit("Reuters", True, 0, 9, "(Reuters) -"),)}
    stories, _ = build_stories(rels, _docs(["host", "reprint", "rewrite", "wire"]),
                               credits_of=lambda d: credits.get(d.id, ()))
    (story,) = stories
    _assert_tree(story)
    assert story.origin == "wire"
    assert "host only shares passages with the other members (partial), in an article of its own: " \
        "not the story's origin" in story.origin_evidence
    assert not any("contained in host" in why for why in story.origin_evidence)
    edge = {e.copy: e for e in story.edges}
    assert (edge["reprint"].source, edge["rewrite"].source, edge["host"].source) == ("wire", "wire", "wire")
    assert edge["reprint"].evidence == ("reprint is contained in wire (100% vs 70%)",)  # a trimmed copy still votes
    assert edge["host"].confidence == 0.5  # which side took the passage: nothing says
    assert edge["host"].evidence == ("host only shares passages with the story (partial), so it is placed under it; "
                                     "which side took the passage from the other is not known",)
    # a story of passages only (no member carries it) is ordered by the evidence, as before:
    # 'b' lies mostly inside 'a' (90%), a short excerpt of it
    alone = [_rel("a", "b", 0.3, 0.2, 0.9), _rel("b", "c", 0.3, 0.5, 0.5)]
    (story,), _ = build_stories(alone, _docs("abc"), credits_of=lambda d: ())
    assert story.origin == "a" and {e.copy: e.source for e in story.edges} == {"b": "a", "c": "b"}
    assert {e.copy: e for e in story.edges}["b"].evidence == ("b is contained in a (90% vs 20%)",)


# --- events: same-event links between stories -----------------------------------------

from dedup.cluster import components, event_clusters  # noqa: E402


def test_a_chain_of_loosely_linked_reports_is_not_one_event():
    # Six reports on one beat, each sharing names with the next only: pairs, not a blob.
    chain = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")]
    groups = event_clusters(chain)
    assert max(len(g) for g in groups) <= 3
    assert sorted(x for g in groups for x in g) == list("abcdef")
    assert components(chain) == [list("abcdef")]  # what plain connectivity would give


def test_reports_that_all_link_to_each_other_are_one_event():
    clique = [(x, y) for x in "abcd" for y in "abcd" if x < y]
    assert event_clusters(clique + [("d", "e")]) == [list("abcde")]


def test_two_events_joined_by_one_bridge_stay_apart():
    left = [(x, y) for x in "abc" for y in "abc" if x < y]
    right = [(x, y) for x in "xyz" for y in "xyz" if x < y]
    assert event_clusters(left + right + [("c", "x")]) == [list("abc"), list("xyz")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=60))
def test_event_groups_partition_the_linked_reports_into_connected_groups(raw):
    links = [(f"n{a:02d}", f"n{b:02d}") for a, b in raw]
    groups = event_clusters(links)
    linked = sorted({x for a, b in links if a != b for x in (a, b)})
    assert sorted(x for g in groups for x in g) == linked
    assert all(len(g) > 1 and g == sorted(g) for g in groups)
    for g in groups:  # each group is connected through its own links
        inside = [(a, b) for a, b in links if a in g and b in g and a != b]
        assert components(inside) == [g]
    assert event_clusters(list(reversed(links))) == groups  # order of the links does not matter


def test_the_origin_evidence_says_a_credit_once_for_many_copies():
    from dedup.credits import Credit

    copies = [f"copy{i}" for i in range(7)]
    rels = [_rel("wire", c, 0.9) for c in copies] + [_rel("cites", "wire", 0.9)]
    own = (Credit("AFP", True, 0, 3, "AFP"),)
    cite = (Credit("AFP", False, 0, 3, "AFP"),)
    credits = {"wire": own, "cites": cite}
    stories, _ = build_stories(rels, _docs(["wire", "cites", *copies]), credits_of=lambda d: credits.get(d.id, ()))
    (story,) = stories
    assert story.origin == "wire"
    lines = [w for w in story.origin_evidence if "own credit" in w]
    assert lines == [
        "wire carries the agency's own credit (AFP); 7 other members have no such credit: "
        "copy0, copy1, copy2, copy3, copy4 and 2 more",
        "wire carries the agency's own credit (AFP); cites only cites AFP",
    ]
    # Each edge still states its own evidence.
    edge = {e.copy: e for e in story.edges}
    assert edge["copy3"].evidence == ("wire carries the agency's own credit (AFP); copy3 has no such credit",)
