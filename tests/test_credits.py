"""dedup.credits: which agency a sentence credits, primary (own reporting) or secondary (cited)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.credits import agencies, wire_credits
from dedup.records import Zone

CASES = [
    # sentence, expected (agency, primary) credits in text order
    ("The minister told AFP on Monday that talks had failed.", [("AFP", True)]),
    ("ISLAMABAD (Reuters) - Troops moved into the valley.", [("Reuters", True)]),
    ("LONDON (AP) \u2014 Prices rose.", [("AP", True)]),
    ("PARIS (AFP): The strike went on.", [("AFP", True)]),
    ("The general was quoted by AFP as saying the town had fallen.", [("AFP", False)]),
    ("Ten people died, according to the Associated Press.", [("AP", False)]),
    ("Ten people died, according to the Associated Press of Pakistan.", [("APP", False)]),
    ("The ap said the road was closed.", []),
    ("We will tap into it, said the ap team.", []),
    ("The app was launched. Apple and Pakistan told Apple.", []),
    ("Reuters could not independently verify the report.", [("Reuters", True)]),
    ("AFP was unable to confirm the toll.", [("AFP", True)]),
    ("A spokesman told the news agency AFP.", [("AFP", True)]),
    ("An official told Agence France-Presse by phone.", [("AFP", True)]),
    ("In a statement sent to AFP, the ministry denied it.", [("AFP", True)]),
    ("He spoke in an interview with The Associated Press.", [("AP", True)]),
    ("Reuters journalists saw smoke over the city.", [("Reuters", True)]),
    ("The army did not respond to a request for comment from Reuters.", [("Reuters", True)]),
    ("Xinhua reported five dead.", [("Xinhua", False)]),
    ("Officials said, citing Kyodo, that the plant was shut.", [("Kyodo", False)]),
    ("The shares fell 3%, according to Thomson Reuters data.", [("Reuters", False)]),
    ("The police told ANI, and PTI reported it later.", [("ANI", True), ("PTI", False)]),
    ("He told AFP he would stay. AFP reported he left.", [("AFP", True), ("AFP", False)]),
    ("He told reporters he was leaving Reuters.", []),
    ("Reuters is a news agency.", []),
    ("He told AFPTV nothing.", []),
    ("", []),
]
CASE_IDS = [
    "told-AFP", "dateline-Reuters", "dateline-AP-em-dash", "dateline-colon", "quoted-by-AFP",
    "according-to-AP", "APP-beats-AP", "lowercase-ap", "ap-inside-words", "app-and-apple",
    "could-not-verify", "unable-to-confirm", "told-the-news-agency", "full-name", "statement-sent-to",
    "interview-with", "agency-journalists", "request-for-comment", "Xinhua-reported", "citing",
    "Thomson-Reuters", "two-agencies", "primary-and-secondary", "no-credit-verb", "name-alone",
    "longer-word", "empty",
]


@pytest.mark.parametrize("text, expected", CASES, ids=CASE_IDS)
def test_wire_credits(text, expected):
    credits = wire_credits(text)
    assert [(c.agency, c.primary) for c in credits] == expected
    for c in credits:
        assert text[c.start : c.end] == c.text
    assert [c.start for c in credits] == sorted(c.start for c in credits)


def test_captions_are_ignored():
    body = "Soldiers told AFP they had left the town."
    caption = "A man walks past the ruins (Reuters) - photo by AFP. He told Reuters nothing."
    text = f"{body}\n{caption}"
    zones = (Zone(len(body) + 1, len(text), "caption"),)
    assert [(c.agency, c.primary) for c in wire_credits(text, zones)] == [("AFP", True)]
    # Without the zone the caption's credits count.
    assert {c.agency for c in wire_credits(text)} == {"AFP", "Reuters"}


def test_agencies_filters_by_kind():
    credits = wire_credits("The police told ANI, and PTI reported it later. Xinhua said so too.")
    assert agencies(credits) == {"ANI", "PTI", "Xinhua"}
    assert agencies(credits, primary=True) == {"ANI"}
    assert agencies(credits, primary=False) == {"PTI", "Xinhua"}


_SHORT = ["ap", "pa", "app", "ani", "pti", "upi", "efe", "afp", "ians", "dpa", "wam"]
_FRAMES = ["told {}", "({}) -", "quoted by {}", "according to the {}", "{} reported", "{} could not verify"]


@given(
    st.lists(
        st.tuples(st.sampled_from(_FRAMES), st.sampled_from(_SHORT), st.sampled_from(["", "x", "the ", "ee"])),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=100, deadline=None)
def test_short_names_credit_only_in_capitals(parts):
    """Short upper-case names (AP, PA, AFP, ...) written in lower case are ordinary words."""
    lower = ". ".join(prefix + frame.format(name) for frame, name, prefix in parts)
    assert wire_credits(lower) == ()
    upper = ". ".join(frame.format(name.upper()) for frame, name, _ in parts)
    assert len(wire_credits(upper)) == len(parts)


@pytest.mark.parametrize("space", ["\n", "\u00a0", "  "], ids=["newline", "nbsp", "two-spaces"])
def test_multi_word_names_match_across_any_white_space(space):
    text = f"Ten people died, according to the Associated{space}Press."
    assert [(c.agency, c.primary) for c in wire_credits(text)] == [("AP", False)]


_NAME_PIECES = st.sampled_from(
    ["AFP", "afp", "Reuters", "REUTERS", "Associated Press", "associated  press", "Associated Press of Pakistan",
     "Agence France-Presse", "AP", "Ap", "PA Media", "Kyodo", "\u212ayodo", "xAFP", "AFPx", "trap", "CHEAP",
     "told", "(", ")", " - ", ",", ".", "\n", " ", "the news agency", "Thomson Reuters", "1", "\u00e9"]
)


@given(st.lists(_NAME_PIECES, max_size=25).map("".join), st.lists(_NAME_PIECES, max_size=25).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_agency_names_found_as_by_the_plain_pattern(glued, spaced):
    """The first-letter lookahead in front of the name pattern changes no match."""
    import re

    from dedup.credits import _AG, _ANY_NAME

    plain = re.compile(rf"\b{_AG}\b", re.I)
    for text in (glued, spaced):
        assert [m.span() for m in _ANY_NAME.finditer(text)] == [m.span() for m in plain.finditer(text)]
