"""Drift's text patterns (figures, dates, weekdays, agency names, verbs of saying) with a
first-character lookahead (so the engine gives up early at most positions) find exactly what
the plain patterns find; a line's words read with findall are those of finditer; a document's
dates and months read from one shared pass equal those read on their own."""

import pytest
import re
import sys
from pathlib import Path

from conftest import seed_document
from hypothesis import example, given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dedup.credits import _AGENCIES  # noqa: E402
from dedup.drift import _text as T, attribution as AT, clear_caches  # noqa: E402

# The patterns as they were written before the lookaheads (the definition they must keep).
PLAIN_NUMBER = re.compile(T._NUMBER_RE.pattern.replace(T._NUMBER_FIRST, "", 1), re.IGNORECASE)
PLAIN_WEEKDAY = re.compile(r"\b(?P<wd>" + "|".join(T.WEEKDAYS) + r")\b", re.IGNORECASE)
PLAIN_DATE_START = re.compile(r"\b(?=\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))", re.IGNORECASE)
PLAIN_AGENCY_AT = re.compile(r"\b(?=[a-z])(?:" + AT.AGENCY_NAME_PATTERN + r")", re.I)
PLAIN_VERB = re.compile(AT._VERB_RE.pattern.replace(AT._VERB_FIRST, "", 1))


def _found(rx, text):
    return [m.regs for m in rx.finditer(text)]


def _plain_line_words(line):
    ms = list(T._WORD_RE.finditer(line))
    return (tuple(m.group() for m in ms), tuple(T.canonical_word(m.group()) for m in ms),
            tuple(m.start() for m in ms), tuple(m.end() for m in ms))


def _plain_dates(text):
    return [m.regs for m in T._DATE_RE.finditer(text)]


def _check(text):
    assert T._NUMBER_FIRST in T._NUMBER_RE.pattern and AT._VERB_FIRST in AT._VERB_RE.pattern
    assert _found(T._NUMBER_RE, text) == _found(PLAIN_NUMBER, text)
    assert _found(T._WEEKDAY_RE, text) == _found(PLAIN_WEEKDAY, text)
    assert _found(T._DATE_START_RE, text) == _found(PLAIN_DATE_START, text)
    assert [m.regs for m in T._date_matches(text)] == _plain_dates(text)
    assert _found(AT._AGENCY_AT, text) == _found(PLAIN_AGENCY_AT, text)
    assert _found(AT._VERB_RE, text) == _found(PLAIN_VERB, text)
    for line in text.split("\n"):
        assert T._line_words.__wrapped__(line) == _plain_line_words(line)
    clear_caches()
    assert _outcome(lambda: list(T.doc_dates(text))) == _outcome(lambda: T.dates(text))
    assert _outcome(lambda: list(T.doc_months(text))) == _outcome(lambda: T.months(text))


def _outcome(read):
    """What ``read()`` gives, or the type of error it raises (a long s before "ep 3" makes a date
    whose month is not in MONTHS: a KeyError either way, not this test's concern)."""
    try:
        return read()
    except KeyError as exc:
        return type(exc)


def test_seed_texts():
    for n in range(5):
        _check(seed_document(n).text)


def test_every_word_the_patterns_name():
    named = [*T.NUMBER_WORDS, *T.WEEKDAYS, *T.MONTHS, *_AGENCIES, *AT._VERBS.split("|")]
    for case in (str.lower, str.capitalize, str.upper):
        _check(" ".join(f"{case(w)} 3, {case(w)}-{case(w)} (12 {case(w)})" for w in sorted(named)))


# Letters that case-fold to the ASCII ones the patterns name (long s, Kelvin sign, dotted I),
# other scripts' digits, and the words and figures the patterns look for.
_PIECES = [
    *"aAsSkKiI \n.,-'", "\u017f", "\u212a", "\u0130", "\u0131", "\u0663", "\u00b2", "\uff11",
    "one", "Two", "TWENTY", "thirty-one", "hundred", "dozen", "million", "bn", "%", " per cent",
    "Monday", "SUNDAY", "friday", "March", "may", "May", "Sept.", "3rd", "31", "2024", "1,200.5",
    "at least ", "\u017fix", "\u017feven", "\u017funday", "\u017fep",
    *sorted(T.NUMBER_WORDS), *(w.upper() for w in T.WEEKDAYS), *(m.capitalize() for m in T.MONTHS),
    *(f" {a.upper()} " for a in sorted(_AGENCIES)), "(Reuters)", " told AFP", "said", "Denied",
    "_", "a_b", "9_", "\u00b2x", "don't", "rock\u2019n\u2019roll", "3.5", "1:2", "x-ray",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_TEXT)
@example(text="On \u017funday, \u017fix people and Twenty-one more; \u017fep 3 and May 2024, at least 1,200.5 bn")
def test_generated_texts(text):
    _check(text)


@pytest.mark.parametrize("text", ["on \u017fep 3 the", "on \u017fEPT. 3, 2025", "in \u017feptember 2025"])
def test_month_names_matched_through_case_folding_are_read(text):
    """The case-insensitive patterns match a long s (U+017F) or a Kelvin sign where a month
    name has an s or a k; reading the month must not fail on them (it raised KeyError)."""
    from dedup.drift._text import dates, months

    got = dates(text) + months(text)
    assert all(m.month == 9 for m in got)


def test_drift_of_a_text_with_a_long_s_date():
    from dedup.drift import compare
    from dedup.records import Document

    a = Document(id="a", text="The minister said on Sep 3 that the talks would resume in Geneva next week.")
    b = Document(id="b", text="The minister said on \u017fep 3 that the talks would resume in Geneva next week.")
    compare(a, b)  # no exception
