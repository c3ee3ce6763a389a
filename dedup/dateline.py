"""The day a report was filed: its publication date, else the date of its wire dateline.

Independent reports of one event are filed within days of each other; two reports whose
days lie weeks apart describe two events, however much they share. Wire services file
the same kinds of story every day in the same words (a company's stake filing, a central
bank's money-market operation, a eurobond issue, quarterly results), so such stories
share names (the regulator, the city, the underwriter), figures and vocabulary without
being about the same event: verification uses ``days_apart`` to keep them apart.

A report's day is its ``published`` metadata when that parses, else a dateline at the
head of a line near the top of the text: a place name, then a month and day, then a dash,
as wire copy opens ("WASHINGTON, March 13 -", "QUETTA, Pakistan, Jan 31 (Reuters) -"). A date
elsewhere in the text is not the filing date and is not used. A dateline names no year:
two days of which one lacks a year are compared on the calendar, around the year's end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from dateutil import parser as dateparser

from .records import Document

# A dateline must open one of the text's first lines, within this many characters.
DATELINE_CHARS = 400

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# A month's name or its abbreviation, whole: "Texaco declined 3-1/2" opens with no dateline.
_MONTH = (
    r"(?P<mon>(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))\b\.?"
)
_DATELINE_RE = re.compile(
    r"^[ \t]*[A-Z][A-Za-z.'\u2019-]+(?:[ /-][A-Z][A-Za-z.'\u2019-]+){0,3}"  # WASHINGTON, New Delhi, ST. LOUIS
    r"(?:,[ \t]*[A-Z][\w.]*(?:[ \t][A-Z][\w.]*){0,2}){0,2}"  # , Pakistan / , Okla. / , N.J.
    rf",?[ \t]*(?:{_MONTH}[ \t]+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})[ \t]+{_MONTH.replace('?P<mon>', '?P<mon2>')})"  # , March 13 / D.C. March 18
    r"(?:,?[ \t]+(?P<year>(?:19|20)\d{2}))?"
    r"(?:,[ \t]*Reuters?)?"  # MANILA, April 1, Reuter -
    r",?[ \t]*(?:\([A-Za-z .&]{2,30}\)[ \t]*)?[:\u2013\u2014-]",
    re.MULTILINE,
)


def opens_with_dateline(line: str) -> bool:
    """``line`` opens with a wire dateline (place, month and day, dash): the first line of a
    report's body, never a headline or a header line above it."""
    return _DATELINE_RE.match(line) is not None


@dataclass(frozen=True, slots=True)
class ReportDay:
    """A report's day; ``year`` None when only a dateline's month and day are known."""

    month: int
    day: int
    year: int | None = None

    def ordinal(self, year: int) -> int:
        """Day number of this month and day in ``year`` (the 29th of February of a common
        year counts as the 1st of March)."""
        try:
            return date(year, self.month, self.day).toordinal()
        except ValueError:
            return date(year, self.month, 28).toordinal() + 1


_NO_YEAR = datetime(1, 1, 1)  # dateutil fills what a date leaves out from this: year 1 = none given


def published_day(published: str) -> ReportDay | None:
    """The day of a publication date (ISO or free text), its year None when it names none;
    None when it does not parse."""
    try:
        d = dateparser.isoparse(published)
    except (ValueError, OverflowError):
        try:
            d = dateparser.parse(published, default=_NO_YEAR)
        except (ValueError, OverflowError):
            return None
    return ReportDay(d.month, d.day, d.year if d.year != 1 else None)


def dateline_span(text: str) -> tuple[int, int] | None:
    """Where the dateline (place and date) at the head of ``text`` lies, if it has one."""
    m = _DATELINE_RE.search(text[:DATELINE_CHARS])
    return (m.start(), m.end()) if m is not None else None


def _from_dateline(head: str) -> ReportDay | None:
    m = _DATELINE_RE.search(head)
    if m is None:
        return None
    mon = (m.group("mon") or m.group("mon2")).casefold()[:3]  # casefold: (?i) matches a long s as s
    day = int(m.group("day") or m.group("day2"))
    if not 1 <= day <= 31:
        return None
    year = int(m.group("year")) if m.group("year") else None
    return ReportDay(_MONTHS[mon], day, year)


@lru_cache(maxsize=1 << 14)
def report_day(doc: Document) -> ReportDay | None:
    """The day ``doc`` was filed: its publication date, else its dateline's; None when
    neither is known."""
    if doc.published:
        got = published_day(doc.published)
        if got is not None:
            return got
    return dateline_day(doc)


@lru_cache(maxsize=1 << 14)
def dateline_day(doc: Document) -> ReportDay | None:
    """The day of the wire dateline that opens ``doc``'s text, None without one. Unlike the
    publication date, a copy carries it along whenever it is republished."""
    return _from_dateline(doc.text[:DATELINE_CHARS])


def days_apart(a: ReportDay | None, b: ReportDay | None) -> int | None:
    """Days between two report days; None when either is unknown. With both years known,
    the calendar distance; else the distance of the months and days on a leap year's
    calendar, the shorter way round (the 30th of December and the 2nd of January: 3)."""
    if a is None or b is None:
        return None
    if a.year is not None and b.year is not None:
        return abs(a.ordinal(a.year) - b.ordinal(b.year))
    gap = abs(a.ordinal(2000) - b.ordinal(2000))
    return min(gap, 366 - gap)


__all__ = ["DATELINE_CHARS", "ReportDay", "dateline_day", "dateline_span", "days_apart", "opens_with_dateline", "published_day", "report_day"]
