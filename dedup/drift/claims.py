"""claim_added and claim_dropped.

A body sentence with no counterpart is a claim on one side only, unless its content
words are (nearly) all found in one or two sentences of the other text (a sentence split
or merged in paraphrase); words already present but scattered over more of its sentences
("the military said" in one, "security forces" in another, "killed" in a third) make a
new claim, unless a one-sided sentence of the other text shares a good part of them (a
paraphrase the alignment missed, its other words replaced by ones found elsewhere).
Within aligned sentences, a clause whose content words, figure or
name appear nowhere in the other text is an added or dropped clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..align import masked_terms, span_terms, split_sentences
from ..align import sentence_terms as text_sentence_terms
from ..records import Alignment, Document, Finding, Sentence
from ._text import finding, groups, names, numbers

# A sentence needs at least this many content terms to carry a claim.
MIN_TERMS = 3
# A one-sided sentence whose terms are this much present in the other text is not new...
COVERED_SHARE = 0.9
# ... when at most this many of the other text's sentences hold them (picked greedily, the one
# holding most first). 2 keeps every finding on the seeds (the one-sided sentences there that
# the whole other text covers, two of its sentences cover too) and on benchmarks/drift_bench.py.
COVER_SENTENCES = 2
# A one-sided sentence of the other text that holds this share of a sentence's terms may be
# its paraphrase, missed by the alignment: the sentence is then not new for being scattered
# (a Reuters rewrite in benchmarks/syndication.py: "Exports of these teas are likely to rise"
# -> "By contrast, Exports of these teas are probable to increase", 2 of 5 terms in common).
MISSED_PAIR_SHARE = 1 / 3
# A clause inside an aligned pair: at least this many terms, this share of them new.
CLAUSE_MIN_TERMS = 3
CLAUSE_NEW_SHARE = 0.75
_CLAUSE_SPLIT = re.compile(r",?\s+(?:while|whereas|but|although|after|before|as well as)\s+|[;,]\s+|\s*[\u2014\u2013]\s*")


def sentence_terms(doc: Document, sentences: tuple[Sentence, ...]) -> tuple[frozenset[str], ...]:
    """``masked_terms`` of each sentence: the ones align computed from one tokenisation of the
    whole text when the sentences are align's split of ``doc`` (the usual case: the alignment
    was just made), else sentence by sentence."""
    zones = tuple(doc.zones)
    if split_sentences(doc.text, zones=zones) == sentences:
        return text_sentence_terms(doc.text, zones)
    return tuple(masked_terms(s.text) for s in sentences)


@lru_cache(maxsize=1 << 14)
def _has_fact(text: str) -> bool:
    return bool(numbers(text)) or bool(names(text))


@lru_cache(maxsize=1 << 14)
def _clause_terms(text: str, start: int, end: int) -> tuple[tuple[int, str, frozenset[str]], ...]:
    """(start, clause, masked terms) of the clauses of the aligned span [start, end) of
    ``text`` with at least CLAUSE_MIN_TERMS terms (the only ones that can be a new claim)."""
    out = []
    for at, clause in _clauses(text[start:end], start):
        ct = span_terms(text, at, at + len(clause))
        if len(ct) >= CLAUSE_MIN_TERMS:
            out.append((at, clause, ct))
    return tuple(out)


def _uncovered(unaligned, sentences, terms, other_terms, other_sentence_terms, other_unaligned) -> Iterator:
    """Unaligned body sentences with enough terms, most of them absent from the other side
    or found there only scattered over more than COVER_SENTENCES sentences (and not a
    paraphrase of one of the other side's unaligned sentences, ``other_unaligned``)."""
    for i in unaligned:
        s = sentences[i]
        if s.zone != "body":
            continue
        t = terms[i]
        if len(t) < MIN_TERMS:
            continue
        if len(t & other_terms) / len(t) < COVERED_SHARE:
            yield s
        elif not _covered_by_few(t, other_sentence_terms) and not any(
            len(t & other_sentence_terms[j]) / len(t) >= MISSED_PAIR_SHARE for j in other_unaligned
        ):
            yield s


def _covered_by_few(terms: frozenset[str], others: tuple[frozenset[str], ...]) -> bool:
    """Do COVER_SENTENCES sentences of ``others`` at most hold COVERED_SHARE of ``terms``?
    (Greedy: each time the sentence holding most of the terms not yet held.)"""
    left = set(terms)
    for _ in range(COVER_SENTENCES):
        best = max(others, key=lambda o: len(left & o), default=frozenset())
        left -= best
        if (len(terms) - len(left)) / len(terms) >= COVERED_SHARE:
            return True
    return False


# A new clause has at least this many new terms: CLAUSE_MIN_TERMS terms or more, at least
# CLAUSE_NEW_SHARE of them new (3 of 3, 3 of 4, 4 of 5, ...).
_CLAUSE_MIN_NEW = 3


def _clause_possible(span_terms: frozenset[str], *others: frozenset[str]) -> bool:
    """Can a clause of a span with these terms have _CLAUSE_MIN_NEW terms outside ``others``?
    A clause's terms are its span's terms, except that its first word, a name's capital
    in the span, is counted as a plain word in the clause: at most one term more."""
    new = span_terms.difference(*others)
    return len(new) + 1 >= _CLAUSE_MIN_NEW


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    sa = sentence_terms(a, alignment.a_sentences)
    sb = sentence_terms(b, alignment.b_sentences)
    terms_a = frozenset().union(*sa)
    terms_b = frozenset().union(*sb)
    for s in _uncovered(alignment.unaligned_a, alignment.a_sentences, sa, terms_b, sb, alignment.unaligned_b):
        yield finding("claim_dropped", s.text, "", (s.start, s.end), None, s.text, "")
    for s in _uncovered(alignment.unaligned_b, alignment.b_sentences, sb, terms_a, sa, alignment.unaligned_a):
        yield finding("claim_added", "", s.text, None, (s.start, s.end), "", s.text)
    for p, g in zip(alignment.pairs, groups(a, b, alignment)):
        ta = sa[p.a[0]] if len(p.a) == 1 else span_terms(a.text, g.a_start, g.a_end)
        tb = sb[p.b[0]] if len(p.b) == 1 else span_terms(b.text, g.b_start, g.b_end)
        if _clause_possible(tb, ta, terms_a):
            for start, clause, ct in _clause_terms(b.text, g.b_start, g.b_end):
                new = ct - ta - terms_a
                if len(new) / len(ct) >= CLAUSE_NEW_SHARE and _has_fact(clause):
                    yield finding("claim_added", "", clause, None, (start, start + len(clause)), g.a_text, g.b_text, note="clause")
        if _clause_possible(ta, tb, terms_b):
            for start, clause, ct in _clause_terms(a.text, g.a_start, g.a_end):
                new = ct - tb - terms_b
                if len(new) / len(ct) >= CLAUSE_NEW_SHARE and _has_fact(clause):
                    yield finding("claim_dropped", clause, "", (start, start + len(clause)), None, g.a_text, g.b_text, note="clause")


def _clauses(text: str, offset: int):
    last = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        piece = text[last : m.start()]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            yield offset + last + lead, piece.strip()
        last = m.end()
    piece = text[last:]
    if piece.strip() and last > 0:
        lead = len(piece) - len(piece.lstrip())
        yield offset + last + lead, piece.strip()
