"""dedup.dateline (the day a report was filed) and what verification asks of two reports of
one event: filed at most SAME_EVENT_MAX_DAYS apart, sharing names of their running text (not a
wire headline's capitals, the dateline's place or a legal form), and not each about its own
company; and of a rewrite: the same company, datelines at most REWRITE_MAX_DAYS apart."""

import pytest

from dedup.dateline import ReportDay, days_apart, report_day
from dedup.records import Document, RelationKind
from dedup.verify import REWRITE_MAX_DAYS, SAME_EVENT_MAX_DAYS, _different_subjects, _event_names, _lead_subject, _name_stem, _named, profile, verify


def doc(text, **kw):
    return Document(id=kw.pop("id", "d"), text=text, **kw)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("EDELMAN CUTS STAKE TO 4.8 PCT\n\nWASHINGTON, March 13 - A group led by", ReportDay(3, 13)),
        ("QUETTA, Pakistan, Jan 31 (Reuters) \u2013 At least 67 militants", ReportDay(1, 31)),
        ("TULSA, Okla., April 1, - Linear Films Inc said", ReportDay(4, 1)),
        ("ST. LOUIS, MO., March 5 - Yellow Freight System", ReportDay(3, 5)),
        ("London, March 11 - Deutsche Bank Finance NV is issuing", ReportDay(3, 11)),
        ("DALLAS, APril 3 - INternational Telecharge INc said", ReportDay(4, 3)),
        ("PARIS, 5 March 2026 (AFP) - The minister said", ReportDay(3, 5, 2026)),
        ("MONTREAL, Sept. 20 - The seaway", ReportDay(9, 20)),
        ("WASHINGTON, MARCH 25 - A senior representative", ReportDay(3, 25)),
        ("MONTREAL, \u017fept. 20 - a long s matches s", ReportDay(9, 20)),
        ("MANILA, April 1, Reuter - Kidnapped Japanese businessman", ReportDay(4, 1)),
        ("WASHINGTON, D.C. March 18 - International", ReportDay(3, 18)),
    ],
)
def test_dateline_at_the_head_of_the_text(text, day):
    assert report_day(doc(text)) == day


@pytest.mark.parametrize(
    "text",
    [
        "He said, March 3 - no place opens this line",
        "Texaco declined 3-1/2 to 28-3/8 and Pennzoil fell 12-7/8.",
        "Sales Marketed 3 - a word that starts like a month is not one",
        "The company said on March 3 - that it would sell the unit.",
        "WASHINGTON (AP) \u2014 No date in this dateline.",
        "WASHINGTON, March 45 - not a day of any month",
        "A story with no dateline.\n" + "x " * 250 + "\nLONDON, March 3 - too far down to be this story's dateline",
        "",
    ],
)
def test_no_dateline(text):
    assert report_day(doc(text)) is None


def test_publication_date_comes_before_the_dateline():
    d = doc("WASHINGTON, March 13 - text", published="2026-01-31T14:12+05:30")
    assert report_day(d) == ReportDay(1, 31, 2026)
    # a publication date without a year is compared as a dateline's month and day
    assert report_day(doc("text", published="March 13")) == ReportDay(3, 13)
    assert report_day(doc("text", published="13 March 1987 10:05")) == ReportDay(3, 13, 1987)
    # a publication date that does not parse leaves the dateline
    assert report_day(doc("WASHINGTON, March 13 - text", published="sometime")) == ReportDay(3, 13)


def test_days_apart():
    assert days_apart(ReportDay(1, 31, 2026), ReportDay(1, 31, 2026)) == 0
    assert days_apart(ReportDay(1, 31, 2026), ReportDay(2, 3, 2026)) == 3
    assert days_apart(ReportDay(12, 31, 2025), ReportDay(1, 2, 2026)) == 2
    assert days_apart(ReportDay(1, 31, 2025), ReportDay(1, 31, 2026)) == 365  # years known: a year apart
    # a dateline names no year: month and day, the shorter way round the calendar
    assert days_apart(ReportDay(12, 30), ReportDay(1, 2)) == 3
    assert days_apart(ReportDay(3, 13), ReportDay(2, 26, 1987)) == 16
    assert days_apart(ReportDay(2, 29), ReportDay(3, 1)) == 1
    assert days_apart(ReportDay(2, 29, 2025), ReportDay(3, 1, 2025)) == 0  # no 29th in 2025: the 1st of March
    assert days_apart(None, ReportDay(1, 1)) is None
    assert days_apart(ReportDay(1, 1), None) is None


# One event, two reports filed the same day: a stake filing and another wire's story on it,
# which share the investor, the company, the regulator and the city, but no wording.
STAKE_A = """HARTWELL GROUP CUTS MERIDIAN FOODS <MFD> STAKE TO 4.6 PCT

WASHINGTON, {day} - A group led by New York investor Thomas Hartwell said it lowered its stake in Meridian Foods Inc to 1,412,300 shares, or 4.6 pct of the total outstanding common stock, from 1,690,500 shares, or 5.5 pct.
    In a filing with the Securities and Exchange Commission, the Hartwell group said it sold 278,200 Meridian Foods common shares between February 2 and March 9 at prices ranging from 31.25 to 34.50 dlrs a share.
    As long as the group's stake stays below five pct, it is not required to report further dealings in Meridian Foods stock to the Securities and Exchange Commission, the filing said.
"""
STAKE_B = """MERIDIAN FOODS <MFD> HOLDER TRIMS POSITION

WASHINGTON, {day} - Thomas Hartwell, the New York investor who sought seats on the board of Meridian Foods Inc last year, has sold part of his holding and now owns less than five pct of the snack maker.
    Hartwell and his partners disposed of about 278,000 Meridian shares over five weeks, according to papers sent to the Securities and Exchange Commission on Friday.
    A Meridian Foods spokeswoman declined to comment. Analysts said the sales removed an overhang on the stock, which closed up 1/4 at 33-1/2 on the New York Stock Exchange.
"""
# Another company's stake filing in the same template: the regulator, the city, the figures'
# shape and the vocabulary are shared, the company is not.
STAKE_OTHER = """INVESTMENT FIRMS LIFT CALDER STEEL <CST> STAKE TO 7.2 PCT

WASHINGTON, {day} - Several affiliated New York investment firms told federal regulators they increased their holding of Calder Steel Corp common stock to 604,900 shares, equal to 7.2 pct of those outstanding, up from 512,000 shares, or 6.1 pct.
    The firms, led by Brookline Partners, reported to the Securities and Exchange Commission that they purchased 92,900 Calder Steel shares from January 28 through February 20 for 12.75 to 14.00 dlrs each.
    They described the Calder Steel purchases as an investment and said they might acquire more, according to the Securities and Exchange Commission filing.
"""


def _pair(day_a, day_b, **kw):
    return doc(STAKE_A.format(day=day_a), id="a", **kw.get("a", {})), doc(STAKE_B.format(day=day_b), id="b", **kw.get("b", {}))


def test_reports_filed_weeks_apart_are_not_one_event():
    a, b = _pair("March 13", "March 13")
    assert verify(a, b).kind is RelationKind.SAME_EVENT  # what the shared names and vocabulary say alone
    a, b = _pair("March 13", "Feb 26")
    assert verify(a, b) is None
    assert verify(b, a) is None


def test_the_window_is_inclusive_and_needs_both_days():
    a, b = _pair("March 13", f"March {13 + SAME_EVENT_MAX_DAYS}")
    assert verify(a, b).kind is RelationKind.SAME_EVENT
    a, b = _pair("March 13", f"March {14 + SAME_EVENT_MAX_DAYS}")
    assert verify(a, b) is None
    # one side without a day: nothing to compare, the pair is judged as before
    a = doc(STAKE_A.format(day="March 13").replace("WASHINGTON, March 13 - ", ""), id="a")
    b = doc(STAKE_B.format(day="Feb 26"), id="b")
    assert report_day(a) is None
    assert verify(a, b).kind is RelationKind.SAME_EVENT


def test_publication_dates_decide_over_datelines():
    a, b = _pair("March 13", "March 13", a={"published": "1987-03-13"}, b={"published": "1987-04-20"})
    assert verify(a, b) is None
    a, b = _pair("March 13", "Feb 26", a={"published": "1987-03-13"}, b={"published": "1987-03-14"})
    assert verify(a, b).kind is RelationKind.SAME_EVENT


def test_derived_relations_do_not_depend_on_the_days():
    """A copy keeps its relation to the source whenever it was filed (the same text re-run
    under a dateline a month later is still a reprint); only the same brief filed again with
    other figures is not (tests/test_verify_template.py)."""
    a = doc(STAKE_A.format(day="March 13"), id="a")
    b = doc(STAKE_A.format(day="April 20").replace("HARTWELL GROUP CUTS", "HARTWELL GROUP REDUCES"), id="b")
    assert verify(a, b).kind in {RelationKind.REPRINT, RelationKind.DUPLICATE}


# Two eurobond briefs of one morning: different issuers; what they share in names is the
# headline's capitals (ISSUES, MLN, DLR, EUROBOND), the dateline's LONDON, the listing
# and the amounts' units.
BOND_A = """HARBOUR POWER ISSUES 100 MLN DLR EUROBOND DUE 1992

LONDON, March 11 - Harbour Power Corp is issuing a 100 mln dlr eurobond due April 15, 1992 paying 7-1/4 pct and priced at 101-1/8 pct, the lead manager said.
    The non-callable bonds are available in denominations of 5,000 dlrs and will be listed in Luxembourg. Fees total 1-7/8 pct.
    Payment date is April 15. Harbour Power said proceeds would refinance existing debt.
"""
BOND_B = """NORTHGATE STEEL ISSUES 75 MLN DLR EUROBOND DUE 1994

LONDON, March 11 - Northgate Steel Ltd wants the money for its Ohio mill, where output has been falling since the autumn and a new furnace is planned.
    Its new 75 mln dlr eurobond, maturing in 1994 with a coupon of 8-1/2 pct, carries fees of two pct and a Luxembourg listing; priced at 101-3/4, it pays on April 20.
    Steel makers have been busy borrowing this month while rates are low, dealers said, in units of 5,000 dlrs.
"""


def test_event_names_leave_out_headline_capitals_dateline_and_legal_forms():
    names = _event_names(profile(doc(BOND_A, id="a")))
    assert {"harbour", "power", "luxembourg"} <= names
    assert not names & {"issu", "mln", "dlr", "eurobond", "london", "corp", "april", "march"}
    # the entities (facts) still hold them: only the same-event test counts names this way
    assert {"issu", "eurobond", "corp"} <= profile(doc(BOND_A, id="a")).entities


def test_briefs_of_one_template_on_one_day_are_not_one_event():
    a, b = doc(BOND_A, id="a"), doc(BOND_B, id="b")
    assert report_day(a) == report_day(b)
    assert verify(a, b) is None
    assert verify(b, a) is None


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        (STAKE_A.format(day="March 13"), "Meridian Foods"),  # after the dateline, not the headline's
        (STAKE_OTHER.format(day="March 13"), "Calder Steel"),
        ("KODAK SELLS NOTES\n\nNEW YORK, March 4 - Eastman Kodak Co is raising 25 mln dlrs, said Morgan Stanley and Co Inc.",
         "Eastman Kodak"),
        ("LONDON - Eli Lilly and Co. said on Tuesday it would buy the unit.", "Eli Lilly"),
        ("Pitney Bowes Credit Corp, a unit of Pitney Bowes Inc, is raising 100 mln dlrs.", "Pitney Bowes Credit"),
        # the company named after the lead's first sentence is not its subject
        ("WASHINGTON, March 13 - The U.S. economy grew. Eastman Kodak Co said sales rose.", ""),
        ("QUETTA, Pakistan, Jan 31 (Reuters) - At least 67 militants were killed.", ""),
    ],
)
def test_the_company_a_lead_is_about(text, subject):
    assert _lead_subject(profile(doc(text))) == {_name_stem(w) for w in subject.lower().split()}


def test_different_companies_briefs_of_one_day_are_not_one_event():
    """Two stake filings of one morning share the regulator, the city and the vocabulary; each
    lead is about its own company, which the other report never names."""
    a, other = doc(STAKE_A.format(day="March 13"), id="a"), doc(STAKE_OTHER.format(day="March 13"), id="o")
    assert len(_event_names(profile(a)) & _event_names(profile(other))) >= 3  # the names rule alone would link them
    assert verify(a, other) is None
    assert verify(other, a) is None
    # a report that names the other's company (a bid, an answer to it) and repeats one of its
    # figures can still be one event
    answer = doc(STAKE_OTHER.format(day="March 13").replace(
        "according to the Securities", "after Meridian Foods Inc, in which the Hartwell group now holds 4.6 pct, "
        "dropped its bid for Calder, according to the Securities"), id="o2")
    assert verify(a, answer).kind is RelationKind.SAME_EVENT


# Two companies' note issues in the wire's template, one day apart, the same terms: sentence by
# sentence they align as a paraphrase would, and the figures agree.
NOTES_A = """CHRYSLER UNIT SELLS NOTES AT 7-5/8 PCT

NEW YORK, March 2 - Chrysler Financial Corp, a unit of Chrysler Corp, is raising 250 mln dlrs through an offering of notes due 1992 with a 7-5/8 pct coupon and par pricing, said lead manager Salomon Brothers Inc.
    That is 70 basis points more than the yield of comparable Treasury securities.
    Non-callable for life, the issue is rated A-2 by Moody's Investors Service Inc and A by Standard and Poor's Corp.
"""
NOTES_B = """HARBOUR POWER OFFERS NOTES AT 7-5/8 PCT

NEW YORK, March 3 - Harbour Power Corp is selling 250 mln dlrs of notes due 1992 carrying a 7-5/8 pct coupon, priced at par, lead manager Salomon Brothers Inc said.
    The yield is 70 basis points above that of comparable Treasury securities.
    The notes are non-callable for life and carry ratings of A-2 from Moody's Investors Service Inc and A from Standard and Poor's Corp.
"""


def test_different_companies_briefs_are_not_rewrites_of_each_other():
    a, b = doc(NOTES_A, id="a"), doc(NOTES_B, id="b")
    assert verify(a, b) is None
    assert verify(b, a) is None
    # the same brief about the same company is a rewrite
    same = doc(NOTES_B.replace("HARBOUR POWER", "CHRYSLER UNIT").replace("Harbour Power Corp", "Chrysler Financial Corp"), id="c")
    assert verify(a, same).kind is RelationKind.REWRITE


HELP_A = """U.K. MONEY MARKET GIVEN 97 MLN STG ASSISTANCE

LONDON, March 23 - The Bank of England said it provided the money market with help of 97 mln stg in the morning session.
    This compares with the Bank's revised estimate of a 300 mln stg shortage in the system today.
    The central bank bought 97 mln stg of bank bills in band two at 9-7/8 pct.
"""
HELP_B = """U.K. MONEY MARKET RECEIVES 97 MLN STG HELP

LONDON, {day} - The Bank of England gave the money market assistance of 97 mln stg during the morning, it said.
    That set against a shortage in the system today which the Bank revised to an estimated 300 mln stg.
    In band two the central bank purchased bank bills worth 97 mln stg at 9-7/8 pct.
"""


def test_texts_whose_datelines_lie_weeks_apart_are_not_rewrites():
    """A wire's daily template reworded is a rewrite when filed the same day; with its dateline
    16 days later it is another day's filing. A copy keeps its source's dateline, so a
    republication date (``published``) does not count here."""
    a = doc(HELP_A, id="a")
    assert verify(a, doc(HELP_B.format(day="March 23"), id="b")).kind is RelationKind.REWRITE
    assert verify(a, doc(HELP_B.format(day=f"March {23 + REWRITE_MAX_DAYS}"), id="b")).kind is RelationKind.REWRITE
    assert verify(a, doc(HELP_B.format(day="April 8"), id="b")) is None
    late = doc(HELP_B.format(day="March 23"), id="b", published="1987-05-30")
    assert verify(a, late).kind is RelationKind.REWRITE
    # without a dateline on one side there is nothing to compare
    bare = doc(HELP_B.format(day="April 8").replace("LONDON, April 8 - ", ""), id="b")
    assert verify(a, bare).kind is RelationKind.REWRITE


def test_one_event_wants_the_other_company_named_in_full():
    """A word of a company's name in the other report ("Markets" of Merrill Lynch Capital
    Markets) does not make it about Victory Markets; the whole name, anywhere, does."""
    victory = profile(doc("NEW YORK, March 19 - Victory Markets Inc is raising 60 mln dlrs through an offering of "
                          "debentures, said sole underwriter Drexel Burnham Lambert Inc.", id="v"))
    unocal = profile(doc("NEW YORK, March 23 - Unocal Corp is raising 450 mln dlrs through an offering of notes, "
                         "said lead manager Merrill Lynch Capital Markets.", id="u"))
    answer = profile(doc("VICTORY MARKETS SAYS NOTHING\n\nNEW YORK, March 23 - Unocal Corp said it would not bid "
                         "for the supermarket chain.", id="w"))
    assert _different_subjects(victory, unocal, in_full=True)
    assert not _different_subjects(victory, unocal)  # any word: what the rewrite test asks
    assert not _different_subjects(victory, answer, in_full=True)  # named in full in its headline


def test_event_names_of_a_stored_profile_equal_a_built_one():
    from conftest import seed_document

    from dedup.verify import dump_prepared, load_prepared

    docs = [doc(BOND_A, id="a"), doc(BOND_B, id="b"), doc(STAKE_A.format(day="March 13"), id="s")]
    docs += [seed_document(n) for n in range(5)]
    for d in docs:
        stored, built = load_prepared(d, dump_prepared(d)), profile(d)
        assert _event_names(stored) == _event_names(built), d.id
        assert _lead_subject(stored) == _lead_subject(built), d.id
        assert _named(stored) == _named(built), d.id
