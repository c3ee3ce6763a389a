"""date_changed, weekday_changed and date_inconsistent.

Dates are compared as (month, day, year) values, so "Saturday, January 31" and
"Saturday (January 31, 2026)" are the same date; a missing year matches any year.
A month named without a day ("in March", "the three months to December") is compared
as (month, year) the same way. A year written alone ("in 1999", "1973-90") is changed when,
in a close pair, it is the one year of A left over against the one year of B left over
(a year kept or moved within the pair is not a change).
A weekday in the copy is inconsistent when it is not the weekday of a date written
next to it, or, in the lead, of the copy's reference date (its publication date, else
a dateline date near the top of the text) or the day before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

from ..dateline import DATELINE_CHARS, published_day  # a dateline date sits within DATELINE_CHARS of the start
from ..records import Alignment, Document, Finding
from ._text import (
    WEEKDAYS, YearMention, dates, doc_dates, doc_months, doc_weekdays, doc_years, finding, groups, twin_groups, weekdays, within,
)

# A weekday this close (characters) to a written date refers to that date
# ("Tuesday, January 31", "Saturday (January 31, 2026)", "31 January, a Tuesday" is not).
NEAR_DATE_CHARS = 3
# Weekdays in the first this-many body sentences are checked against the reference date.
LEAD_SENTENCES = 3
# A bare year left over on each side of a pair is a changed year when the pair scores at
# least this much (as a single leftover figure: numbers.SINGLE_LEFTOVER_MIN_SCORE); a looser
# pair may tell of another year's event.
YEAR_MIN_SCORE = 0.5


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    # Sentences without content words ("It was on Monday.") are not aligned; those that read
    # the same but for their dates, between the same aligned neighbours, are compared too.
    for g in (*groups(a, b, alignment), *twin_groups(a, b, alignment)):
        da, db = within(doc_dates(a.text), g.a_start, g.a_end), within(doc_dates(b.text), g.b_start, g.b_end)
        for d, e in _changed(da, db):
            yield finding("date_changed", d.text, e.text, (d.start, d.end), (e.start, e.end), g.a_text, g.b_text)
        # A month named alone ("in March" -> "in April") is a date too.
        ma, mb = within(doc_months(a.text), g.a_start, g.a_end), within(doc_months(b.text), g.b_start, g.b_end)
        for m, n in _changed(ma, mb):
            yield finding(
                "date_changed", m.text, n.text, (m.start, m.end), (n.start, n.end), g.a_text, g.b_text,
                note=f"{m.text} -> {n.text}",
            )
        if g.score >= YEAR_MIN_SCORE:
            changed = _year_changed(within(doc_years(a.text), g.a_start, g.a_end), within(doc_years(b.text), g.b_start, g.b_end))
            if changed is not None:
                y, z = changed
                yield finding(
                    "date_changed", y.text, z.text, (y.start, y.end), (z.start, z.end), g.a_text, g.b_text,
                    note=f"year {y.text} -> {z.text}",
                )
        wa = within(doc_weekdays(a.text), g.a_start, g.a_end)
        wb = within(doc_weekdays(b.text), g.b_start, g.b_end)
        only_wa = [w for w in wa if w.weekday not in {x.weekday for x in wb}]
        only_wb = [w for w in wb if w.weekday not in {x.weekday for x in wa}]
        for w, x in zip(only_wa, only_wb):
            yield finding(
                "weekday_changed", w.text, x.text, (w.start, w.end), (x.start, x.end), g.a_text, g.b_text,
                note=f"{WEEKDAYS[w.weekday].capitalize()} -> {WEEKDAYS[x.weekday].capitalize()}",
            )
    # A weekday the copy kept from its source is not drift, unless it contradicts a date
    # written right next to it (then the copy is wrong whatever the source said).
    counterpart: dict[int, str] = {}
    b_index: dict[int, int] = {}
    for f in inconsistent(b, alignment.b_sentences, side="b"):
        if f.note.startswith(f"{f.after} does not match: publication") or f.note.startswith(f"{f.after} does not match: dateline"):
            if not b_index:  # built on the first finding that needs them
                for p in alignment.pairs:
                    a0, a1 = alignment.a_sentences[min(p.a)].start, alignment.a_sentences[max(p.a)].end
                    for j in p.b:
                        counterpart[j] = a.text[a0:a1]
                b_index = {s.start: j for j, s in enumerate(alignment.b_sentences)}
            s = next(s for s in alignment.b_sentences if s.start <= f.b_span[0] < s.end)
            source = counterpart.get(b_index[s.start], a.text)
            if any(w.text.lower() == f.after.lower() for w in weekdays(source)):
                continue
        yield f


def _changed(xs, ys) -> Iterator[tuple]:
    """Mentions of one side with no ``same_as`` on the other, paired in text order."""
    only_x = [x for x in xs if not any(x.same_as(y) for y in ys)]
    only_y = [y for y in ys if not any(y.same_as(x) for x in xs)]
    return zip(only_x, only_y)


def _year_changed(ya: list[YearMention], yb: list[YearMention]) -> tuple[YearMention, YearMention] | None:
    """The one bare year of A and the one of B left over once the years they share are
    taken out (as many times as each side writes them), None unless there is one of each."""
    if not ya or not yb:
        return None
    left_b = list(yb)
    left_a = []
    for y in ya:
        k = next((k for k, z in enumerate(left_b) if z.year == y.year), None)
        if k is None:
            left_a.append(y)
        else:
            del left_b[k]
    if len(left_a) == 1 and len(left_b) == 1:
        return left_a[0], left_b[0]
    return None


def reference_date(doc: Document) -> date | None:
    """The publication date, else a full date near the top of the text (a dateline)."""
    return _reference_date(doc.published, doc.text[:DATELINE_CHARS])


@lru_cache(maxsize=1 << 12)
def _reference_date(published: str | None, head: str) -> date | None:
    if published:
        got = published_day(published)
        # A date without a year ("March 13") names no weekday: not a reference (taking this
        # year's, every weekday of a 1987 report would drift).
        if got is not None and got.year is not None:
            return date(got.year, got.month, got.day)
    for d in dates(head):
        if d.year:
            return d.as_date()
    return None


@lru_cache(maxsize=1 << 14)
def _has_weekday(sentence: str) -> bool:
    # every weekday name ends in "day" (no other character matches d, a or y ignoring case)
    return "day" in sentence.lower() and bool(weekdays(sentence))


def inconsistent(doc: Document, sentences, *, side: str) -> Iterator[Finding]:
    """Weekdays in ``doc`` that contradict a nearby date or the reference date."""
    ref = reference_date(doc)
    body_seen = 0
    for s in sentences:
        if s.zone == "body":
            body_seen += 1
        if not _has_weekday(s.text):
            continue
        ws = weekdays(s.text, s.start)
        ds = dates(s.text, s.start)
        for w in ws:
            near = [d for d in ds if 0 <= d.start - w.end <= NEAR_DATE_CHARS]
            if near:
                d = near[0]
                actual = d.as_date(ref.year if ref else None)
                if actual is None or actual.weekday() == w.weekday:
                    continue
                why = f"{d.text} is a {WEEKDAYS[actual.weekday()].capitalize()}"
            elif ref is not None and s.zone == "body" and body_seen <= LEAD_SENTENCES:
                if w.weekday in {ref.weekday(), (ref - timedelta(days=1)).weekday()}:
                    continue
                src = "publication date" if doc.published else "dateline"
                why = f"{src} {ref.strftime('%B')} {ref.day}, {ref.year} is a {WEEKDAYS[ref.weekday()].capitalize()}"
            else:
                continue
            span = (w.start, w.end)
            yield finding(
                "date_inconsistent",
                "" if side == "b" else w.text,
                w.text if side == "b" else "",
                None if side == "b" else span,
                span if side == "b" else None,
                "" if side == "b" else s.text,
                s.text if side == "b" else "",
                note=f"{w.text} does not match: {why}",
            )
