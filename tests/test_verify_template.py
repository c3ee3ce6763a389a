"""A wire's template filled twice (two companies' filings, one desk's daily operation on two
days) is not a passage reused: verify's partial rule leaves out pairs whose sentences follow
one another with other names, figures or days when all they share verbatim is the
template's fixed wording (TEMPLATE_ALIGNED, TEMPLATE_MAX_WORDS); nor is the same brief filed
again days later a reprint (a copy keeps its source's dateline)."""

import pytest

from dedup import verify as V
from dedup.records import Document, RelationKind
from dedup.verify import TEMPLATE_MAX_WORDS, verify

# Two companies' registration statements in the wire's words: the same sentences with other
# issuers, amounts, securities and managers.
REG_A = """HARBOUR POWER FILES FOR NOTE OFFERING

NEW YORK, March 31 - Harbour Power Corp said it filed with the Securities and Exchange Commission a registration statement covering 150 mln dlrs of senior notes due 1997.
    Proceeds will be used for general corporate purposes, including the repayment of bank debt and the building of a gas turbine plant in Ohio.
    The company named Dillon Read and Co Inc as lead manager of the offering, which it expects to price next week.
"""
REG_B = """NORTHGATE STEEL FILES FOR DEBENTURE OFFERING

NEW YORK, March 31 - Northgate Steel Inc said it filed with the Securities and Exchange Commission a registration statement covering a 60 mln dlr issue of convertible subordinated debentures.
    Proceeds will be used for general corporate purposes, including the repayment of short-term borrowings taken on for its new rolling mill.
    The company named Kidder Peabody and Co Inc as sole manager of the offering, which it expects to price next week.
"""
# One desk's daily brief: the same subject, other figures, filed three weeks apart.
REPO = """NEW YORK, {day} - The Federal Reserve entered the U.S. Government securities market to arrange {amount} of customer repurchase agreements, a Fed spokesman said.
    Dealers said Federal funds were trading at {rate} pct when the Fed began its temporary and indirect supply of reserves to the banking system.
    {why}
"""
# A wire story, and a local paper's own article that takes one of its sentences.
SOURCE = """FLOODS CLOSE RHINE TO SHIPPING

DUISBURG, March 12 - Shipping on the Rhine was halted on Thursday between Duisburg and Emmerich after the river rose above the mark of 8.3 metres, the waterways office said.
    About 400 barges were waiting at anchor near Wesel, and the office said it did not expect the river to fall before Sunday.
    Grain and coal merchants in Rotterdam said freight rates for the coming week had risen by a fifth since Monday.
    The last comparable closure, in January 1995, lasted nine days.
"""
HOST = """Town council backs new ferry landing

The district council voted on Tuesday to build a new landing for the Orsoy ferry, ending two years of argument over the cost of the project.
Councillor Anna Berger said the old landing had been damaged twice by high water and could no longer be insured.
The work is to start in June and will cost 1.2 million euros, of which the state pays half.
Meanwhile about 400 barges were waiting at anchor near Wesel, and the office said it did not expect the river to fall before Sunday.
The ferry itself will keep running on weekdays, the operator said, although its timetable may change during the building work.
Residents can see the plans at the town hall until the end of the month.
"""


def doc(text, id):
    return Document(id=id, text=text)


def both_ways(a, b):
    one, other = verify(a, b), verify(b, a)
    assert (one and one.kind) == (other and other.kind)
    return one


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (REG_A, REG_B),  # facts differ: other companies, amounts, managers
        (REPO.format(day="March 2", amount="1.5 billion dlrs", rate="6-3/16",
                     why="Most economists had expected the operation to offset the drain of the Treasury's tax receipts."),
         REPO.format(day="March 23", amount="two billion dlrs", rate="6-1/8",
                     why="The Fed had drained reserves on Friday through matched sales, to the surprise of some dealers.")),
        # the same subject, datelines three weeks apart
        (REPO.format(day="March 2", amount="1.5 billion dlrs", rate="6-3/16", why=""),
         REPO.format(day="March 23", amount="two billion dlrs", rate="6-1/8", why="")),
        # the same, so close in wording (69% of either side's 5-grams in the other) that, filed
        # on one day, it would be a reprint
    ],
)
def test_a_template_filled_twice_is_not_a_partial(a, b, monkeypatch):
    assert both_ways(doc(a, "a"), doc(b, "b")) is None
    # it is the template rule that decides: without it the fixed wording makes a partial
    monkeypatch.setattr(V, "TEMPLATE_ALIGNED", 1.01)
    assert both_ways(doc(a, "a"), doc(b, "b")).kind is RelationKind.PARTIAL


def test_the_same_brief_filed_on_one_day_is_a_reprint():
    a = doc(REPO.format(day="March 2", amount="1.5 billion dlrs", rate="6-3/16", why=""), "a")
    b = doc(REPO.format(day="March 2", amount="two billion dlrs", rate="6-1/8", why=""), "b")
    assert both_ways(a, b).kind is RelationKind.REPRINT


def test_a_passage_taken_into_an_article_of_its_own_is_a_partial():
    r = both_ways(doc(SOURCE, "s"), doc(HOST, "h"))
    assert r.kind is RelationKind.PARTIAL
    assert max(r.scores.aligned_a, r.scores.aligned_b) < V.TEMPLATE_ALIGNED  # the host is its own article
    assert any(p.kind == "verbatim" for p in r.evidence)


def test_a_paragraph_shared_beyond_the_template_wording_is_a_partial():
    """Both briefs end with the same regulator's paragraph, word for word: a passage reused."""
    notice = ("\n    The commission said in a notice that filings of this kind are reviewed within ten business days "
              "and that it had asked issuers to state the use of proceeds in greater detail from next quarter.\n")
    r = both_ways(doc(REG_A + notice, "a"), doc(REG_B + notice, "b"))
    assert r.kind is RelationKind.PARTIAL
    assert int(r.reasons[-1].split()[0]) >= TEMPLATE_MAX_WORDS


def test_two_banks_moving_their_prime_rate_are_not_rewrites_of_each_other():
    """The rates' fractions (7-3/4 splits into 7, 3 and 4) and the month are in every such
    brief: the facts a rewrite keeps are names and figures beyond them."""
    a = doc("DETROIT, April 1 - Harbour National Bank of Detroit said it increased its prime rate to "
            "7-3/4 pct from 7-1/2 pct, effective immediately.\n", "a")
    b = doc("CHICAGO, April 2 - Northgate Corp said its Northgate National Bank of Chicago raised its prime "
            "rate to 7-3/4 pct from 7-1/2 pct, effective immediately.\n", "b")
    assert both_ways(a, b) is None
    # the same bank's move told in other words is a rewrite
    c = doc("DETROIT, April 1 - Its prime rate rose to 7-3/4 pct from 7-1/2 pct with immediate effect, "
            "Harbour National Bank of Detroit said.\n", "c")
    assert both_ways(a, c).kind is RelationKind.REWRITE


def test_a_brief_with_the_other_figures_of_its_template_is_not_a_rewrite(monkeypatch):
    """The Bank of England's help in the morning and again in the afternoon, told in other
    words: the same sentences, other amounts. A rewrite that changes one figure (drift) stays a
    rewrite."""
    a = doc(HELP.format(help=97, shortage=300, band2=45, band3=52), "a")
    reworded = HELP_REWORDED.format(help=97, shortage=300, band2=45, band3=52)
    assert both_ways(a, doc(reworded, "b")).kind is RelationKind.REWRITE
    later = HELP_REWORDED.format(help=164, shortage=450, band2=81, band3=83)
    assert V._figures_kept(V.profile(a), V.profile(doc(later, "c"))) == (0, 4)
    assert both_ways(a, doc(later, "c")) is None
    with monkeypatch.context() as m:  # it is the figures that decide: the names and sentences match
        m.setattr(V, "REWRITE_FIGURES", 0.0)
        assert both_ways(a, doc(later, "c")).kind is RelationKind.REWRITE
    one_changed = HELP_REWORDED.format(help=97, shortage=350, band2=45, band3=52)
    assert both_ways(a, doc(one_changed, "d")).kind is RelationKind.REWRITE


HELP = """LONDON, March 23 - The Bank of England said it provided the money market with help of {help} mln stg in the morning session.
    This compares with the Bank's revised estimate of a {shortage} mln stg shortage in the system today.
    The central bank bought {band2} mln stg of bank bills in band two and {band3} mln stg in band three.
    Dealers at Gerrard and National, Cater Allen and Union Discount said Treasury bills from Threadneedle Street kept rates steady.
"""
HELP_REWORDED = """LONDON, March 23 - The Bank of England gave the money market assistance of {help} mln stg during the morning, it said.
    That set against a shortage in the system today which the Bank revised to an estimated {shortage} mln stg.
    In band two the central bank purchased bank bills worth {band2} mln stg, and {band3} mln stg in band three.
    Rates held steady on Treasury bills from Threadneedle Street, dealers at Union Discount, Cater Allen and Gerrard and National said.
"""
