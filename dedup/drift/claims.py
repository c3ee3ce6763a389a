"""claim_added and claim_dropped.

A body sentence with no counterpart is a claim on one side only, unless its content
words are (nearly) all found elsewhere in the other text (a paraphrase spread over
other sentences). Within aligned sentences, a clause whose content words, figure or
name appear nowhere in the other text is an added or dropped clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..align import masked_terms
from ..records import Alignment, Document, Finding
from ._text import finding, groups, names, numbers

# A sentence needs at least this many content terms to carry a claim.
MIN_TERMS = 3
# A one-sided sentence whose terms are this much present in the other text is not new.
COVERED_SHARE = 0.9
# A clause inside an aligned pair: at least this many terms, this share of them new.
CLAUSE_MIN_TERMS = 3
CLAUSE_NEW_SHARE = 0.75
_CLAUSE_SPLIT = re.compile(r",?\s+(?:while|whereas|but|although|after|before|as well as)\s+|[;,]\s+|\s*[\u2014\u2013]\s*")


def _doc_terms(sentences) -> frozenset[str]:
    return frozenset().union(*(masked_terms(s.text) for s in sentences))


def _has_fact(text: str) -> bool:
    return bool(numbers(text)) or bool(names(text))


def _uncovered(unaligned, sentences, other_terms) -> Iterator:
    """Unaligned body sentences with enough terms, most of them absent from the other side."""
    for i in unaligned:
        s = sentences[i]
        if s.zone != "body":
            continue
        t = masked_terms(s.text)
        if len(t) >= MIN_TERMS and len(t & other_terms) / len(t) < COVERED_SHARE:
            yield s


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    terms_a = _doc_terms(alignment.a_sentences)
    terms_b = _doc_terms(alignment.b_sentences)
    for s in _uncovered(alignment.unaligned_a, alignment.a_sentences, terms_b):
        yield finding("claim_dropped", s.text, "", (s.start, s.end), None, s.text, "")
    for s in _uncovered(alignment.unaligned_b, alignment.b_sentences, terms_a):
        yield finding("claim_added", "", s.text, None, (s.start, s.end), "", s.text)
    for g in groups(a, b, alignment):
        ta, tb = masked_terms(g.a_text), masked_terms(g.b_text)
        for start, clause in _clauses(g.b_text, g.b_start):
            ct = masked_terms(clause)
            new = ct - ta - terms_a
            if len(ct) >= CLAUSE_MIN_TERMS and len(new) / len(ct) >= CLAUSE_NEW_SHARE and _has_fact(clause):
                yield finding("claim_added", "", clause, None, (start, start + len(clause)), g.a_text, g.b_text, note="clause")
        for start, clause in _clauses(g.a_text, g.a_start):
            ct = masked_terms(clause)
            new = ct - tb - terms_b
            if len(ct) >= CLAUSE_MIN_TERMS and len(new) / len(ct) >= CLAUSE_NEW_SHARE and _has_fact(clause):
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
