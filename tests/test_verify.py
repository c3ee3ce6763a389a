"""dedup.verify: relation classes on pairs built from real BBC articles, symmetry, scores in
[0, 1], evidence offsets that point at the shared text, huge inputs."""

import random
from dataclasses import fields

import pytest
from conftest import document_from_raw, synthetic_vocabulary, word_salad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.normalize import canonical_text, words
from dedup.records import Document, RelationKind
from dedup.verify import MAX_VERIFY_CHARS, verify

DERIVED = {RelationKind.DUPLICATE, RelationKind.REPRINT, RelationKind.REWRITE, RelationKind.PARTIAL}


def _five_grams(text):
    ws = words(text)
    return {tuple(ws[i : i + 5]) for i in range(len(ws) - 4)}


def check_relation(rel, a, b, *, same_text=True):
    """Invariants of any Relation: ids, scores in [0, 1], evidence inside both texts, verbatim
    evidence that really is the same text on both sides (``same_text``)."""
    assert (rel.a, rel.b) == (a.id, b.id)
    assert 0.0 <= rel.score <= 1.0
    for f in fields(rel.scores):
        assert 0.0 <= getattr(rel.scores, f.name) <= 1.0, f.name
    assert rel.reasons
    for p in rel.evidence:
        assert 0 <= p.a_start < p.a_end <= len(a.text)
        assert 0 <= p.b_start < p.b_end <= len(b.text)
        assert 0.0 <= p.score <= 1.0
        if same_text and p.kind == "verbatim":
            assert canonical_text(a.text[p.a_start : p.a_end]) == canonical_text(b.text[p.b_start : p.b_end])


def check_symmetric(a, b, *, same_text=True):
    ab, ba = verify(a, b), verify(b, a)
    assert (ab is None) == (ba is None)
    if ab is None:
        return None
    assert ab.kind == ba.kind
    check_relation(ab, a, b, same_text=same_text)
    check_relation(ba, b, a, same_text=same_text)
    s, t = ab.scores, ba.scores
    assert (s.jaccard, s.containment_ab, s.containment_ba) == (t.jaccard, t.containment_ba, t.containment_ab)
    assert (s.content_jaccard, s.entity_overlap) == (t.content_jaccard, t.entity_overlap)
    return ab


# --- pairs built from real articles --------------------------------------------------------


def _doc(id, paragraphs, title=None):
    return Document(id, "\n\n".join(([title] if title else []) + list(paragraphs)))


def trimmed(art, keep):
    """The first ``keep`` share of the paragraphs (at least one), under another headline."""
    ps = art.paragraphs
    return _doc(f"{art.id}-trimmed", ps[: max(1, round(len(ps) * keep))], "A different headline for this story")


def excerpt_in(src, host, start=None, n=2):
    """``n`` paragraphs of ``src`` in the middle of ``host``; by default the first ``n``
    consecutive paragraphs after the first that hold at least 25 words each."""
    if start is None:
        ps = src.paragraphs
        start = next(i for i in range(1, len(ps) - n + 1) if all(len(p.split()) >= 25 for p in ps[i : i + n]))
    hp = host.paragraphs
    mid = len(hp) // 2
    return _doc(f"{src.id}-in-{host.id}", hp[:mid] + src.paragraphs[start : start + n] + hp[mid:])


@pytest.fixture(scope="module")
def long_articles(bbc_articles):
    """Articles of at least 6 paragraphs and 250 words, 12 per category, sampled with a fixed seed."""
    rng = random.Random(7)
    out = []
    for cat in ("business", "entertainment", "politics", "sport", "tech"):
        pool = [a for a in bbc_articles if a.category == cat and len(a.paragraphs) >= 6 and len(a.body.split()) >= 250]
        out += rng.sample(pool, 12)
    return out


def _pick(long_articles, k, seed):
    return random.Random(seed).sample(long_articles, k)


@pytest.mark.parametrize("seed", range(8))
def test_trimmed_bottom_40_percent_is_a_reprint(long_articles, seed):
    art = _pick(long_articles, 1, seed)[0]
    a = _doc(art.id, art.paragraphs, art.title)
    b = trimmed(art, 0.6)
    rel = check_symmetric(a, b)
    assert rel is not None and rel.kind is RelationKind.REPRINT, (art.id, rel)


def _has_two_long_paragraphs(art):
    ps = art.paragraphs
    return any(len(ps[i].split()) >= 25 and len(ps[i + 1].split()) >= 25 for i in range(1, len(ps) - 1))


@pytest.mark.parametrize("seed", range(8))
def test_two_paragraph_excerpt_inside_another_article_is_partial(long_articles, seed):
    src, host = _pick([a for a in long_articles if _has_two_long_paragraphs(a)], 2, 100 + seed)
    a = _doc(src.id, src.paragraphs, src.title)
    b = excerpt_in(src, host)
    rel = check_symmetric(a, b)
    assert rel is not None and rel.kind is RelationKind.PARTIAL, (src.id, host.id, rel)
    assert any(p.kind == "verbatim" for p in rel.evidence)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda t: t.upper(), id="case"),
        pytest.param(lambda t: t.replace("\n\n", "\n \n\n").replace(" ", "  "), id="white-space"),
        pytest.param(lambda t: t.replace('"', "\u201c").replace("'", "\u2019"), id="curly-quotes"),
        pytest.param(lambda t: t.replace(". ", ".\n"), id="line-breaks"),
    ],
)
def test_copy_identical_after_normalisation_is_a_duplicate(long_articles, edit):
    art = long_articles[3]
    a = _doc(art.id, art.paragraphs, art.title)
    b = Document("copy", edit(a.text))
    assert b.text != a.text
    rel = check_symmetric(a, b)
    assert rel.kind is RelationKind.DUPLICATE


def test_copy_with_boilerplate_lines_is_a_duplicate_once_ingest_strips_them(long_articles):
    art = long_articles[5]
    raw_a = f"{art.title}\n\n{art.body}"
    raw_b = f"[ad_1]\n{art.title}\nPublished 3 hours ago\n\n{art.body}\nShort Url\nFollow\n[ad_2]"
    a, b = document_from_raw(raw_a, id="a"), document_from_raw(raw_b, id="b")
    assert check_symmetric(a, b).kind is RelationKind.DUPLICATE


def test_copy_with_extra_words_is_not_a_duplicate(long_articles):
    """Left in the text, a boilerplate line makes the texts differ: a reprint, not a duplicate."""
    art = long_articles[5]
    a = _doc(art.id, art.paragraphs, art.title)
    b = Document("b", a.text + "\n\nShare this article on Facebook")
    assert check_symmetric(a, b).kind is RelationKind.REPRINT


def test_different_articles_of_one_category_are_not_derived(long_articles):
    checked = 0
    for cat in ("business", "entertainment", "politics", "sport", "tech"):
        arts = [a for a in long_articles if a.category == cat]
        for x, y in zip(arts, arts[1:]):
            if len(_five_grams(x.body) & _five_grams(y.body)) > 3:
                continue  # BBC repeats some stories; those are not unrelated
            rel = check_symmetric(_doc(x.id, x.paragraphs, x.title), _doc(y.id, y.paragraphs, y.title))
            assert rel is None or rel.kind is RelationKind.SAME_EVENT, (x.id, y.id, rel)
            checked += 1
    assert checked >= 40


def _reprints(long_articles, drop):
    """Reprints: last third dropped, headline changed, and the last or a middle paragraph dropped."""
    for art in long_articles[::3]:
        ps = art.paragraphs
        keep = ps[: len(ps) * 2 // 3]
        del keep[len(keep) // drop - 1 if drop > 1 else len(keep) - 1]
        yield art, _doc(art.id, ps, art.title), _doc("reprint", keep, "Completely new headline")


@pytest.mark.parametrize("drop", [1, 3], ids=["drop-last", "drop-3rd"])
def test_evidence_of_a_reprint_lies_in_both_texts(long_articles, drop):
    for art, a, b in _reprints(long_articles, drop):
        rel = verify(a, b)
        # REPRINT is expected; see test_trimmed_reprint_with_a_phrase_repeated_in_the_dropped_tail.
        assert rel is not None and rel.kind in (RelationKind.REPRINT, RelationKind.PARTIAL), (art.id, rel)
        verbatim = [p for p in rel.evidence if p.kind == "verbatim"]
        assert verbatim
        check_relation(rel, a, b, same_text=False)
        # The evidence covers the shared paragraphs, not just a phrase of them.
        covered = sum(p.a_end - p.a_start for p in verbatim)
        assert covered >= 0.5 * (len(b.text) - len("Completely new headline"))
        for p in verbatim:  # the A side is text B holds
            assert canonical_text(a.text[p.a_start : p.a_end]) in canonical_text(b.text)


@pytest.mark.parametrize(
    "drop", [pytest.param(1, id="drop-last"), pytest.param(3, id="drop-3rd")]
)
def test_evidence_of_a_reprint_is_the_same_text_on_both_sides(long_articles, drop):
    for art, a, b in _reprints(long_articles, drop):
        check_relation(verify(a, b), a, b)


_TRANSFORMS = ["same", "trim", "headline", "excerpt", "shuffle", "other", "half-and-half", "sentences"]


@st.composite
def bbc_pairs(draw, articles):
    x, y = draw(st.permutations(articles).map(lambda p: p[:2]))
    how = draw(st.sampled_from(_TRANSFORMS))
    rng = random.Random(draw(st.integers(0, 2**16)))
    ps = x.paragraphs
    a = _doc("a", ps, x.title)
    if how == "same":
        b = _doc("b", ps, x.title)
    elif how == "trim":
        b = _doc("b", ps[: rng.randint(1, len(ps))])
    elif how == "headline":
        b = _doc("b", ps, y.title)
    elif how == "excerpt":
        b = excerpt_in(x, y, start=rng.randrange(len(ps)), n=rng.randint(1, 3))
    elif how == "shuffle":
        b = _doc("b", rng.sample(ps, len(ps)))
    elif how == "other":
        b = _doc("b", y.paragraphs, y.title)
    elif how == "half-and-half":
        b = _doc("b", ps[: len(ps) // 2] + y.paragraphs[len(y.paragraphs) // 2 :])
    else:  # every other sentence
        b = Document("b", ". ".join(a.text.split(". ")[::2]))
    return a, b


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_verify_is_symmetric_with_scores_in_range(long_articles, data):
    a, b = data.draw(bbc_pairs(long_articles))
    # Verbatim evidence text is checked in the tests below (repeated phrases included).
    check_symmetric(a, b, same_text=False)


@given(st.lists(st.sampled_from(["", " ", "...", "Hello", "hello world", "the", "The end."]), min_size=2, max_size=2))
@settings(max_examples=30, deadline=None)
def test_verify_tiny_texts_is_symmetric(texts):
    check_symmetric(Document("a", texts[0]), Document("b", texts[1]))


def _salad_paragraphs(k, words_each, seed):
    rng = random.Random(seed)
    vocab = synthetic_vocabulary()
    return [" ".join(rng.choice(vocab) for _ in range(words_each)).capitalize() + "." for _ in range(k)]


def test_trimmed_reprint_of_made_up_text_is_a_reprint():
    ps = _salad_paragraphs(10, 60, seed=1)
    a, b = _doc("a", ps), _doc("b", ps[:6])
    assert check_symmetric(a, b).kind is RelationKind.REPRINT


def test_trimmed_reprint_with_a_phrase_repeated_in_the_dropped_tail():
    ps = _salad_paragraphs(10, 60, seed=1)
    phrase = " ".join(ps[0].split()[3:10])  # 7 words of the first paragraph ...
    ps[-1] = ps[-1][:-1] + " " + phrase + "."  # ... said again at the very end
    a, b = _doc("a", ps), _doc("b", ps[:6])
    assert check_symmetric(a, b, same_text=False).kind is RelationKind.REPRINT


_REPEATED_LINE = "Winners meet in the final match"


@pytest.mark.parametrize("headline", ["", "A new headline\n\n"], ids=["identical", "re-headlined"])
def test_verbatim_evidence_with_a_repeated_line_is_the_same_text(headline):
    ps = _salad_paragraphs(3, 35, seed=2)
    text = "\n\n".join([ps[0], _REPEATED_LINE, ps[1], _REPEATED_LINE, ps[2], _REPEATED_LINE])
    a, b = Document("a", text), Document("b", headline + text)
    rel = verify(a, b)
    assert rel is not None and rel.kind in DERIVED
    check_relation(rel, a, b)


# --- huge inputs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_texts():
    return word_salad(400_000, seed=1), word_salad(400_000, seed=2)


def test_huge_unrelated_texts_are_not_derived(huge_texts):
    a, b = Document("a", huge_texts[0]), Document("b", huge_texts[1])
    rel = check_symmetric(a, b)
    if rel is not None:
        assert rel.kind is RelationKind.SAME_EVENT
        assert any(f"{MAX_VERIFY_CHARS:,}" in r for r in rel.reasons)


def test_huge_copies_are_derived_and_say_they_were_capped(huge_texts):
    a = Document("a", huge_texts[0])
    for b in (Document("copy", huge_texts[0]), Document("trimmed", huge_texts[0][:300_000])):
        rel = check_symmetric(a, b)
        assert rel is not None and rel.kind in DERIVED
        assert any(f"{MAX_VERIFY_CHARS:,}" in r for r in rel.reasons), rel.reasons


def test_huge_texts_that_differ_after_the_cap_are_not_duplicates(huge_texts):
    a = Document("a", huge_texts[0])
    b = Document("b", huge_texts[0][: MAX_VERIFY_CHARS + 1000] + huge_texts[1][: 300_000])
    rel = check_symmetric(a, b)
    assert rel is not None and rel.kind is not RelationKind.DUPLICATE


def test_identical_huge_texts_are_duplicates(huge_texts):
    rel = verify(Document("a", huge_texts[0]), Document("b", huge_texts[0]))
    assert rel.kind is RelationKind.DUPLICATE


_U64S = st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=40)


@given(_U64S, _U64S)
def test_sorted_set_helpers_equal_numpy_set_operations(xs, ys):
    import numpy as np

    from dedup.fingerprint import in_sorted
    from dedup.verify import _intersect

    values = np.asarray(xs, dtype=np.uint64)
    a = np.unique(np.asarray(xs, dtype=np.uint64))
    b = np.unique(np.asarray(ys, dtype=np.uint64))
    assert np.array_equal(in_sorted(values, b), np.isin(values, b))
    assert np.array_equal(in_sorted(values.reshape(-1, 1), b), np.isin(values, b).reshape(-1, 1))
    got = _intersect(a, b)
    assert got.dtype == np.uint64
    assert np.array_equal(got, np.intersect1d(a, b, assume_unique=True))
