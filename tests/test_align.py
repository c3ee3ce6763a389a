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


REORDERED_A = (
    "Results roundup\n\n"
    "Acme said quarterly profits reached $267m in the three months to June.\n\n"
    "Analysts said the sector remained under pressure from rising costs.\n\n"
    "Acme said quarterly profits reached $327m in the three months to September.\n"
)
REORDERED_B = (
    "Results roundup\n\n"
    "Acme said quarterly profits reached $327m in the three months to September.\n\n"
    "Analysts said the sector remained under pressure from rising costs.\n\n"
    "Acme said  quarterly profits reached $267m in the three months to June.\n"
)


def test_a_reordered_sentence_pairs_with_its_verbatim_twin():
    """Two sentences that differ only in figures and dates score the same against both;
    the tie goes to the twin with the same text (white space collapsed), not to the one
    at its place, and the scores are those of the plain matrix."""
    al = align(REORDERED_A, REORDERED_B)
    assert [(p.a, p.b, p.score) for p in al.pairs] == [((0,), (0,), 1.0), ((1,), (3,), 1.0), ((2,), (2,), 1.0), ((3,), (1,), 1.0)]
    assert al.unaligned_a == () and al.unaligned_b == ()


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
    "The minister said on Friday that 900 people had died.",
    "Prices rose sharply in March, the Bank of England said",
    "\"We will rebuild,\" said Mayor Ana Lopez of Quito.",
    "Photo: AFP / Jane Doe",
    "e-mail co-operation rose 5% in twenty-one U.S. states",
    "\u00c9mile Zola left the \u00c9lys\u00e9e for Z\u00fcrich, \u00e9crit Le Monde.",
    "",
]), min_size=1, max_size=8), st.sampled_from(["\n", "\n\n", " "]))
@settings(max_examples=150, deadline=None)
def test_sentence_terms_equal_the_terms_of_each_sentence(parts, sep):
    from dedup.align import masked_terms, sentence_terms, span_terms, split_sentences
    from dedup.normalize import capitals_tell_names

    text = sep.join(parts)
    sents = split_sentences(text)
    terms = sentence_terms(text)
    assert len(terms) == len(sents)
    # Whether capitals mark names is the whole text's to tell: a sentence taken alone takes
    # them for names, as the text does unless it is set in capitals or title case
    # (tests/test_verify_capitals.py).
    alike = capitals_tell_names(text)
    for s, t in zip(sents, terms):
        assert t == masked_terms(s.text) or not alike
        assert span_terms(text, s.start, s.end) == t


def test_sentence_terms_equal_the_terms_of_each_sentence_on_the_seeds(seeds):
    from dedup.align import masked_terms, sentence_terms, split_sentences

    for doc in seeds.values():
        sents = split_sentences(doc.text, zones=doc.zones)
        assert sentence_terms(doc.text, doc.zones) == tuple(masked_terms(s.text) for s in sents)


def _grow_every_neighbour(s, a, b, w, min_score, sa, sb):
    """align's pairing with the obvious group growth: every free neighbour on either side is
    scored, whether or not it shares a term with the group's other side (``sa``/``sb``: the
    sentences, whose equal texts break ties of score)."""
    import numpy as np

    from dedup.align import MAX_GROUP, MERGE_GAIN

    na, nb = s.shape
    cand = np.argwhere(s >= min_score)
    pair_of_a, pair_of_b = {}, {}
    vals = s[cand[:, 0], cand[:, 1]]
    diag = np.abs(cand[:, 0] / max(na, 1) - cand[:, 1] / max(nb, 1))
    other = np.array([" ".join(sa[i].text.split()) != " ".join(sb[j].text.split()) for i, j in cand.tolist()], dtype=bool)
    for k in np.lexsort((diag, other, -vals)):
        i, j = int(cand[k, 0]), int(cand[k, 1])
        if i not in pair_of_a and j not in pair_of_b:
            pair_of_a[i], pair_of_b[j] = j, i
    free = ({*range(na)} - set(pair_of_a), {*range(nb)} - set(pair_of_b))

    def score(ga, gb):
        va, vb = a[ga].max(axis=0), b[gb].max(axis=0)
        sa_w, sb_w = float((va * w).sum()), float((vb * w).sum())
        return 2.0 * float((np.minimum(va, vb) * w).sum()) / (sa_w + sb_w) if sa_w + sb_w else 0.0

    out = []
    for i, j in sorted(pair_of_a.items()):
        g = ([i], [j])
        current = score(*g)
        while True:
            best = None
            for side, limit in ((0, na), (1, nb)):
                if len(g[side]) >= MAX_GROUP:
                    continue
                for nbr in (min(g[side]) - 1, max(g[side]) + 1):
                    if 0 <= nbr < limit and nbr in free[side]:
                        trial = [sorted(g[0] + [nbr]), g[1]] if side == 0 else [g[0], sorted(g[1] + [nbr])]
                        sc = score(*trial)
                        if sc >= current + MERGE_GAIN and (best is None or sc > best[0]):
                            best = (sc, side, nbr)
            if best is None:
                break
            current, side, nbr = best
            g[side].append(nbr)
            g[side].sort()
            free[side].discard(nbr)
        sc = float(s[g[0][0], g[1][0]]) if len(g[0]) == len(g[1]) == 1 else current
        out.append((tuple(g[0]), tuple(g[1]), round(min(max(sc, 0.0), 1.0), 4)))
    return sorted(out)


@pytest.mark.parametrize("x,y", [(0, 1), (0, 2), (0, 3), (0, 4), (1, 3), (2, 4)])
def test_group_growth_tries_only_neighbours_that_can_raise_the_score(seeds, x, y):
    """align leaves out neighbours that share no term with the group's other side; the groups
    are those of trying every neighbour (on the seeds, and at a low threshold too)."""
    from dedup import align as al

    a_text, b_text = seeds[x].text, seeds[y].text
    sa, sb = split_sentences(a_text), split_sentences(b_text)
    m, w = al._matrices_ids(al._ids_cached(a_text, ()), al._ids_cached(b_text, ()), len(sa), len(sb))
    s, _ = al._weighted_dice_matrix(m, w, len(sa))
    a, b = m[: len(sa)], m[len(sa) :]
    for min_score in (MIN_SCORE, 0.15):
        got = [(p.a, p.b, p.score) for p in align(a_text, b_text, min_score=min_score).pairs]
        want = _grow_every_neighbour(s, a, b, w, min_score, sa, sb)
        assert sorted(got) == want


def _reference_align(a_text, b_text, a_zones=(), b_zones=(), min_score=MIN_SCORE):
    """align as first written: one vocabulary per pair from np.unique over both texts' ids,
    separate 0/1 matrices and three einsums, argwhere/lexsort pairing, group scores from the
    0/1 vectors times the weights. The fast path must give the same Alignment, to the bit
    (the same float32 sums in the same column order)."""
    import numpy as np

    from dedup import align as al
    from dedup.records import Alignment, SentencePair

    sa, sb = split_sentences(a_text, zones=a_zones), split_sentences(b_text, zones=b_zones)
    if not sa or not sb:
        return Alignment(sa, sb, (), tuple(range(len(sa))), tuple(range(len(sb))))
    ta, tb = al.sentence_terms(a_text, a_zones), al.sentence_terms(b_text, b_zones)
    na, nb = len(sa), len(sb)
    enc = [
        (
            np.array([al._term_id(t) for ts in terms for t in ts], dtype=np.uint64),
            np.array([i for i, ts in enumerate(terms) for _ in ts], dtype=np.int64),
            np.array([t.startswith("\x00") for ts in terms for t in ts], dtype=bool),
        )
        for terms in (ta, tb)
    ]
    vocab, cols = np.unique(np.concatenate([enc[0][0], enc[1][0]]), return_inverse=True)
    v = max(len(vocab), 1)
    a, b = np.zeros((na, v), dtype=np.float32), np.zeros((nb, v), dtype=np.float32)
    k = len(enc[0][0])
    a[enc[0][1], cols[:k]] = 1.0
    b[enc[1][1], cols[k:]] = 1.0
    df = np.bincount(cols, minlength=v).astype(np.float32)
    w = (np.log((na + nb + 1.0) / (df + 1.0)) + 1.0).astype(np.float32)
    names = np.zeros(v, dtype=bool)
    names[cols[np.concatenate([enc[0][2], enc[1][2]])]] = True
    w[names] *= al.NAME_WEIGHT
    inter = np.einsum("ik,jk->ij", a * w, b)
    den = np.einsum("ik,k->i", a, w)[:, None] + np.einsum("jk,k->j", b, w)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.clip(np.where(den > 0, 2.0 * inter / den, 0.0), 0.0, 1.0)
    pairs = _grow_every_neighbour(s, a, b, w, min_score, sa, sb)
    got_a = {i for p in pairs for i in p[0]}
    got_b = {j for p in pairs for j in p[1]}
    return Alignment(
        sa,
        sb,
        tuple(SentencePair(*p) for p in pairs),
        tuple(i for i in range(na) if i not in got_a),
        tuple(j for j in range(nb) if j not in got_b),
    )


@pytest.mark.parametrize("min_score", [MIN_SCORE, 0.15, 0.7, 1.0])
def test_align_equals_the_reference_on_the_seeds(seeds, min_score):
    docs = list(seeds.values())
    for x in docs:
        for y in docs:
            got = align(x.text, y.text, a_zones=x.zones, b_zones=y.zones, min_score=min_score)
            assert got == _reference_align(x.text, y.text, x.zones, y.zones, min_score)


_SENTENCES = st.sampled_from([
    "The minister said on Tuesday that 1,200 people had died.",
    "The Minister said that many people had died in Quito.",
    "Prices rose sharply in March, the Bank of England said",
    "Prices rose in April, the Bank of France said.",
    "\"We will rebuild,\" said Mayor Ana Lopez of Quito.",
    "Mayor Ana Lopez said the city would rebuild.",
    "Photo: AFP / Jane Doe",
    "e-mail co-operation rose 5% in twenty-one U.S. states",
    "It rained.",
    "Seven.",
    "\u00c9mile Zola left the \u00c9lys\u00e9e for Z\u00fcrich, \u00e9crit Le Monde.",
    "",
])


@given(
    st.lists(_SENTENCES, max_size=9).map(" ".join),
    st.lists(_SENTENCES, max_size=9).map("\n".join),
    st.sampled_from([MIN_SCORE, 0.15, 0.7]),
    st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_align_equals_the_reference(a_text, b_text, min_score, zoned):
    """Empty sides, one-sentence sides, sentences with no terms, names, repeated sentences
    (ties), zones."""
    a_zones = (Zone(0, len(a_text) // 2, "caption"),) if zoned and a_text else ()
    b_zones = (Zone(len(b_text) // 3, len(b_text), "caption"),) if zoned and b_text else ()
    got = align(a_text, b_text, a_zones=a_zones, b_zones=b_zones, min_score=min_score)
    assert got == _reference_align(a_text, b_text, a_zones, b_zones, min_score)


@pytest.mark.parametrize("ids", [lambda t: len(t) % 5, lambda t: 7], ids=["few-ids", "one-id"])
def test_align_equals_the_reference_when_term_ids_collide(seeds, monkeypatch, ids):
    """Terms that share an id share a column, as in np.unique over the pair's ids."""
    from dedup import align as al

    al.clear_caches()
    monkeypatch.setattr(al, "_term_id", ids)
    try:
        for x, y in ((0, 1), (0, 3), (2, 4)):
            a, b = seeds[x], seeds[y]
            got = align(a.text, b.text, a_zones=a.zones, b_zones=b.zones, min_score=0.15)
            assert got == _reference_align(a.text, b.text, a.zones, b.zones, 0.15)
    finally:
        al.clear_caches()


def _paragraphs_by_definition(text):
    """align._paragraphs as first written: a regex per line, a strip per test."""
    import re

    from dedup.align import _FINAL_PUNCT, _WRAP_MIN_LINES

    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\n?", text) if m.end() > m.start()]
    run_on = ends_open = 0
    for (s0, e0), (s1, e1) in zip(lines, lines[1:]):
        cur, nxt = text[s0:e0].strip(), text[s1:e1]
        if cur and nxt.strip() and not nxt[:1].isspace():
            run_on += 1
            ends_open += cur[-1] not in _FINAL_PUNCT
    wrapped = run_on >= _WRAP_MIN_LINES and ends_open * 2 >= run_on
    spans = []
    for s0, e0 in lines:
        line = text[s0:e0]
        if not line.strip():
            continue
        if wrapped and spans and not line[:1].isspace():
            ps, pe = spans[-1]
            prev = text[ps:pe].rstrip()
            if pe == s0 and prev and prev[-1] not in _FINAL_PUNCT:
                spans[-1] = (ps, e0)
                continue
        spans.append((s0, e0))
    return spans


@given(st.lists(st.sampled_from(["", " ", "\t", "word", "Word two", "end.", "end,", "  indented", "x:", "\u00a0", "\u2029",
                                 "q\u201d", "a\r"]), max_size=14).map("\n".join))
@settings(max_examples=500, deadline=None)
def test_paragraphs_equal_definition(text):
    from dedup.align import _paragraphs

    assert _paragraphs(text) == _paragraphs_by_definition(text)
    assert _paragraphs(text + "\n") == _paragraphs_by_definition(text + "\n")
