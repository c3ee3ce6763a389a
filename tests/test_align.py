"""Sentence splitting and alignment."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.align import MIN_SCORE, align, aligned_share, order_share, split_sentences
from dedup.errors import ParamsError
from dedup.records import Zone


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mr. Smith met Gen. Jones in the U.S. capital. They talked.", 2),
        ("QUETTA, Pakistan, Jan. 31 (Reuters) - At least 67 militants were killed. Police said so.", 2),
        ("\u201cWe will win.\u201d He left. She stayed.", 3),
        ("\u201cThirty-seven terrorists have been eliminated,\u201d the official stated. \u201cTen were hurt.\u201d", 2),
        ("Prices rose 2.5 per cent in Jan. to $1.2 billion. Analysts were surprised.", 2),
    ],
    ids=["abbreviations", "dateline", "quote-then-sentence", "quote-with-attribution", "decimals"],
)
def test_split_counts(text, expected):
    sents = split_sentences(text)
    assert len(sents) == expected, [s.text for s in sents]


def test_split_offsets_point_into_text():
    text = "Headline without a stop\n\nFirst sentence here. Second one, with \u201ca quote.\u201d\nCaption text here."
    cap_start = text.index("Caption")
    sents = split_sentences(text, zones=(Zone(cap_start, len(text), "caption"),))
    assert [s.text for s in sents] == [
        "Headline without a stop",
        "First sentence here.",
        "Second one, with \u201ca quote.\u201d",
        "Caption text here.",
    ]
    assert [s.zone for s in sents] == ["headline", "body", "body", "caption"]
    for s in sents:
        assert text[s.start : s.end] == s.text


_WORDS = st.sampled_from(
    "the army said forty people were killed in Quetta on Saturday Mr. Khan told AFP \u201cwe won\u201d 37 . , ! ?".split()
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=1, max_size=15).map(" ".join), min_size=1, max_size=6).map("\n".join))
def test_split_spans_are_ordered_and_exact(text):
    sents = split_sentences(text)
    last = 0
    for s in sents:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= last
        last = s.end
    # No non-space character is lost.
    covered = "".join(s.text for s in sents)
    assert len("".join(covered.split())) == len("".join(text.split()))


def test_align_identical_text_is_all_one_to_one(seeds):
    text = seeds[0].text
    al = align(text, text)
    n = len(al.a_sentences)
    assert len(al.pairs) == n and not al.unaligned_a and not al.unaligned_b
    assert all(p.a == p.b and p.score == 1.0 for p in al.pairs)


def test_align_score_survives_changed_numbers_dates_and_a_name():
    a = "At least 37 militants were killed in Quetta on Saturday, January 31, the army said."
    b = "At least sixty-seven militants were killed in Kweta on Tuesday, February 3, the army said."
    al = align(a, b)
    assert len(al.pairs) == 1
    assert al.pairs[0].score >= 0.8


def test_align_allows_reordering_and_reports_unaligned():
    a = (
        "The central bank raised interest rates by half a point on Thursday.\n"
        "Inflation has stayed above the target for two years.\n"
        "Shares in London fell sharply after the announcement."
    )
    b = (
        "Shares in London fell sharply after the announcement.\n"
        "The central bank raised interest rates by half a point on Thursday.\n"
        "A spokesman for the treasury declined to comment on the decision."
    )
    al = align(a, b)
    assert sorted((p.a, p.b) for p in al.pairs) == [((0,), (1,)), ((2,), (0,))]
    assert al.unaligned_a == (1,) and al.unaligned_b == (2,)
    assert order_share(al) == 0.5


def test_align_one_to_many():
    a = "Police arrested three men in Leeds after a long investigation into fraud at the council offices."
    b = "Police arrested three men in Leeds. It followed a long investigation into fraud at the council offices."
    al = align(a, b)
    assert [(p.a, p.b) for p in al.pairs] == [((0,), (0, 1))]


def test_align_rejects_bad_threshold():
    with pytest.raises(ParamsError, match="min_score 1.5"):
        align("a", "b", min_score=1.5)


def test_paraphrase_aligns_most_and_same_event_few(seeds):
    rewrite = align(seeds[0].text, seeds[1].text)
    same_event = align(seeds[0].text, seeds[4].text)
    fa_rewrite, _ = aligned_share(rewrite)
    fa_event, _ = aligned_share(same_event)
    assert fa_rewrite >= 0.8
    assert fa_event <= 0.5
    assert MIN_SCORE <= min(p.score for p in rewrite.pairs)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["alpha beta gamma.", "delta epsilon zeta.", "eta theta iota.", "kappa lambda mu."]), min_size=1, max_size=6))
def test_align_is_a_partition(sentences):
    a = " ".join(sentences)
    b = " ".join(reversed(sentences))
    al = align(a, b)
    used_a = [i for p in al.pairs for i in p.a] + list(al.unaligned_a)
    used_b = [j for p in al.pairs for j in p.b] + list(al.unaligned_b)
    assert sorted(used_a) == list(range(len(al.a_sentences)))
    assert sorted(used_b) == list(range(len(al.b_sentences)))
    assert all(0.0 <= p.score <= 1.0 for p in al.pairs)


def test_hard_wrapped_paragraphs_are_joined():
    text = (
        "SALVADOR, Feb 26 - Showers continued throughout the week in\n"
        "the Bahia cocoa zone, alleviating the drought since early\n"
        "January, the review said.\n"
        "    The dry period means the temporao will be late this year.\n"
        "    Arrivals for the week were 155,221 bags of 60 kilos, up\n"
        "from 120,000 bags.\n"
    )
    sents = split_sentences(text)
    assert [s.text.split()[0] for s in sents] == ["SALVADOR,", "The", "Arrivals"]
    assert sents[0].text.endswith("the review said.")
    assert all(text[s.start : s.end] == s.text for s in sents)


def _slow_weighted_dice(ta, tb):
    """The obvious implementation: weighted Dice of term sets, idf over both sides' sentences."""
    import math

    n = len(ta) + len(tb)
    df = {}
    for terms in (*ta, *tb):
        for t in terms:
            df[t] = df.get(t, 0) + 1

    def w(t):
        base = math.log((n + 1.0) / (df[t] + 1.0)) + 1.0
        return base * (0.5 if t.startswith("\x00") else 1.0)

    out = []
    for x in ta:
        row = []
        for y in tb:
            den = sum(w(t) for t in x) + sum(w(t) for t in y)
            row.append(2 * sum(w(t) for t in x & y) / den if den else 0.0)
        out.append(row)
    return out


def test_score_matrix_matches_the_obvious_implementation(seeds):
    from dedup.align import masked_terms, score_matrix

    ta = [masked_terms(s.text) for s in split_sentences(seeds[0].text)]
    tb = [masked_terms(s.text) for s in split_sentences(seeds[3].text)]
    fast = score_matrix(ta, tb)
    slow = _slow_weighted_dice(ta, tb)
    for i, row in enumerate(slow):
        for j, v in enumerate(row):
            assert abs(float(fast[i, j]) - v) < 1e-4


def test_term_ids_do_not_depend_on_what_a_process_met_before():
    """A pair's matrix columns are ordered by term id, and float sums follow that order: ids
    must be the same in every process (a scan's workers, the service) whatever texts each
    met first, or a score's last digit depends on the worker that computed it."""
    import subprocess
    import sys

    from dedup import align as al

    terms = [frozenset({"geneva", "talk", "\x01name:Geneva"}), frozenset({"price", "rose"})]
    here = sorted(al._encode(terms)[0].tolist())  # a frozenset's order is per process; the ids are not
    code = (
        "from dedup import align as al\n"
        "al.align('Cranes moved containers in the harbour today.', 'Harbour cranes moved boxes.')\n"
        f"print(sorted(al._encode({terms!r})[0].tolist()))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert there.strip() == str(here)


@given(st.lists(st.sampled_from([
    "The minister said on Tuesday that 1,200 people had died.",
    "Prices rose sharply in March, the Bank of England said",
    "\"We will rebuild,\" said Mayor Ana Lopez of Quito.",
    "Photo: AFP / Jane Doe",
    "e-mail co-operation rose 5% in twenty-one U.S. states",
    "",
]), min_size=1, max_size=8), st.sampled_from(["\n", "\n\n", " "]))
@settings(max_examples=150, deadline=None)
def test_sentence_terms_equal_the_terms_of_each_sentence(parts, sep):
    from dedup.align import masked_terms, sentence_terms, span_terms, split_sentences

    text = sep.join(parts)
    sents = split_sentences(text)
    terms = sentence_terms(text)
    assert len(terms) == len(sents)
    for s, t in zip(sents, terms):
        assert t == masked_terms(s.text)
        assert span_terms(text, s.start, s.end) == t


def test_sentence_terms_equal_the_terms_of_each_sentence_on_the_seeds(seeds):
    from dedup.align import masked_terms, sentence_terms, split_sentences

    for doc in seeds.values():
        sents = split_sentences(doc.text, zones=doc.zones)
        assert sentence_terms(doc.text, doc.zones) == tuple(masked_terms(s.text) for s in sents)
