"""dedup.verify's per-document profile and per-pair helpers: the fast paths (numpy entities,
sort-based unique sets, the sample of a short text, runs and spans by binary search) equal
the simple definitions they replace."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import verify as V
from dedup.fingerprint import shingle_hashes, sorted_unique, winnow, word_hashes
from dedup.normalize import STOP_WORDS, content_stem, tokenize
from dedup.records import Document, Zone


def entities_by_definition(text, words, starts):
    """Figures, and capitalised content words (3+ letters) whose previous character, quotes
    and brackets skipped, exists and does not end a sentence or a line."""
    out = set()
    for w, s in zip(words, starts.tolist()):
        if w[:1].isdigit():
            out.add(w)
            continue
        if not text[s].isupper() or w in STOP_WORDS or len(w) < 3:
            continue
        j = s - 1
        while j >= 0 and text[j] in " \t\"'\u201c\u2018(":
            j -= 1
        if j >= 0 and text[j] not in ".!?\n:":
            out.add(content_stem(w))
    return frozenset(out)


def profile_by_definition(doc):
    """The profile's sets as np.unique, fingerprint.winnow and plain comprehensions give them."""
    text = doc.text[: V.MAX_VERIFY_CHARS]
    toks = tokenize(text)
    sh = shingle_hashes(word_hashes(toks.words, V._FP.seed), V._FP.shingle_size)
    cap = V._in_zones(toks.starts[: len(sh)], doc.zones, "caption") if len(sh) else np.zeros(0, bool)
    ents = entities_by_definition(text, toks.words, toks.starts)
    return {
        "shingles": sh,
        "all_set": np.unique(sh),
        "body_set": np.unique(sh[~cap]),
        "caption_pos": cap,
        "sample": winnow(sh, V._FP.mod_sample),
        "content": frozenset(s for s in map(content_stem, set(toks.words)) if s is not None),
        "entities": ents,
        "event_entities": frozenset(
            e for e in ents if e not in V._DATE_STEMS and not (len(e) == 1 and e.isdigit())
        ),
        "n_words": len(toks.words),
    }


def assert_profile_is_definition(doc):
    p, want = V.profile(doc), profile_by_definition(doc)
    for name, value in want.items():
        got = getattr(p, name)
        if isinstance(value, np.ndarray):
            assert got.dtype == value.dtype and np.array_equal(got, value), name
        else:
            assert got == value, name


EDGE_TEXTS = {
    "line-starts": 'Talks in Geneva. Officials met\nBritain and "France" (Germany) met: Spain said',
    "quotes-at-start": '"Reuters" said ((Paris)) and \'Rome\' too',
    "figures": "On 12 March 2024 the 3.5% rise, 155,221 units and 7:29 pm in Kent 2nd Ave",
    "non-ascii": "Prices rose by \u00a35 in London. \u201cMadrid\u201d said \u2018Lisbon\u2019 and \u00c9cole Normale met",
    "curly-before-name": "Officials in \u201cBerlin and \u2018Vienna met",
    "apostrophe-before-name": "It ended.\u2019 Smith met \u2019Jones and Kent\u2019s Paris \u2014 Rome\u00a0Oslo",
    "stop-and-short": "He said The Al Mr Bob met the UN in May and Monday",
    "empty": "",
    "one-word": "Hello",
    "capital-first": "Brussels",
    "in-capitals": "QUETTA, PAKISTAN - GUNMEN KILLED 31 PEOPLE IN BALOCHISTAN ON SATURDAY, OFFICIALS TOLD AFP.",
    "in-capitals-curly": "“WE WILL REBUILD,” SAID MAYOR ANA LÓPEZ OF QUITO AFTER 1,200 HOMES FELL.",
    "title-case": "Gunmen Kill 31 People In Balochistan On Saturday, Officials Tell Afp",
    "capitals-headline": "GUNMEN KILL 31 IN QUETTA\nGunmen killed 31 people in Quetta on Saturday, officials in Balochistan told AFP.",
}


@pytest.mark.parametrize("text", list(EDGE_TEXTS.values()), ids=list(EDGE_TEXTS))
def test_entities_equal_definition_on_edge_texts(text):
    toks = tokenize(text)
    assert V._entities(text, toks.words, toks.starts) == entities_by_definition(text, toks.words, toks.starts)
    assert V._entities_simple(text, toks.words, toks.starts) == entities_by_definition(text, toks.words, toks.starts)


def test_profile_equals_definition_on_bbc(bbc_articles):
    for art in bbc_articles[::7]:
        assert_profile_is_definition(Document(art.id, f"{art.title}\n\n{art.body}"))


@pytest.mark.parametrize("text", list(EDGE_TEXTS.values()), ids=list(EDGE_TEXTS))
def test_profile_equals_definition_on_edge_texts(text):
    assert_profile_is_definition(Document("x", text))


def test_profile_with_captions_equals_definition():
    text = "Body text about the Senate vote in Washington today. Photo: Crowds gather outside the Capitol building at dusk"
    cap = text.index("Photo")
    assert_profile_is_definition(Document("c", text, zones=(Zone(cap, len(text), "caption"),)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1) | st.sampled_from([0, 1, 2**63]), max_size=60))
def test_sorted_unique_is_np_unique(values):
    a = np.asarray(values, dtype=np.uint64)
    got = sorted_unique(a)
    assert got.dtype == np.unique(a).dtype and np.array_equal(got, np.unique(a))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="Ab1 .\n:\"'(\u201c\u00e9\u00c9\u00a3,", max_size=80))
def test_entities_equal_definition_on_any_text(text):
    toks = tokenize(text)
    assert V._entities(text, toks.words, toks.starts) == entities_by_definition(text, toks.words, toks.starts)


def runs_by_definition(mask):
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), max_size=40))
def test_runs_equal_definition(bits):
    mask = np.asarray(bits, dtype=bool)
    assert V._runs(mask) == runs_by_definition(mask)


SPAN_TEXT = (
    "The central bank raised rates by half a point on Tuesday. Markets in London fell as "
    "traders sold shares, and the pound rose against the dollar. Analysts said the move was "
    "expected after inflation reached 5.1% in May, the highest in a decade."
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SPAN_TEXT) + 5), st.integers(0, len(SPAN_TEXT) + 5)), max_size=5))
def test_span_counts_equal_definition(spans):
    p = V.profile(Document("spans", SPAN_TEXT))
    assert V._covered_words(p, spans) == (int(V._inside(p.starts, spans).sum()) if spans else 0)
    want = len(np.unique(p.shingles[V._inside(p.starts[: len(p.shingles)], spans)])) if spans else 0
    assert V._distinct_shingles(p, spans) == want
