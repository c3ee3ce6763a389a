"""Two reports that each state figures of their own and none of the other's are about their own
numbers, not one event (verify's SAME_EVENT_OWN_FIGURES, FIGURE_ROUNDING)."""

from test_dateline import STAKE_A, STAKE_B

from dedup import verify as V
from dedup.records import Document, RelationKind
from dedup.verify import _event_figures, _shared_figures, profile, verify


def doc(text, id):
    return Document(id=id, text=text)


A = doc(STAKE_A.format(day="March 13"), "a")


def test_event_figures_leave_out_the_dateline_headline_years_and_lone_digits():
    p = profile(doc("OUTPUT UP 4.9 PCT\n\nWASHINGTON, March 18 - Output rose 4.9 pct to 48.31 billion units in 1987, "
                    "the 3 agencies said, after 7,250 tonnes in the week to March 14.", "x"))
    assert _event_figures(p) == {"4.9", "48.31", "7,250", "14"}


def test_a_rounded_figure_is_shared():
    assert _shared_figures(frozenset({"278,200", "4.6"}), frozenset({"278,000"})) == 1
    assert _shared_figures(frozenset({"278,200"}), frozenset({"250,000"})) == 0
    assert _shared_figures(frozenset({"9-13/16"}), frozenset({"9-13/16", "12"})) == 1


def test_reports_with_figures_of_their_own_only_are_not_one_event(monkeypatch):
    b = doc(STAKE_B.format(day="March 13"), "b")
    assert verify(A, b).kind is RelationKind.SAME_EVENT  # "about 278,000" shares A's 278,200
    other = doc(STAKE_B.format(day="March 13").replace("278,000", "250,000"), "o")
    assert verify(A, other) is None
    assert verify(other, A) is None
    monkeypatch.setattr(V, "FIGURE_ROUNDING", 0.0)  # the rounding is what links the first pair
    assert verify(A, b) is None


def test_a_report_with_too_few_figures_is_judged_without_them():
    bare = doc(STAKE_B.format(day="March 13").replace("about 278,000", "a quarter of his")
               .replace(" up 1/4 at 33-1/2", " higher"), "n")
    assert not _event_figures(profile(bare))
    assert verify(A, bare).kind is RelationKind.SAME_EVENT


def test_event_figures_of_a_stored_profile_equal_a_built_one():
    from conftest import seed_document

    from dedup.verify import dump_prepared, load_prepared

    docs = [A, doc(STAKE_B.format(day="March 13"), "b")] + [seed_document(n) for n in range(5)]
    for d in docs:
        stored, built = load_prepared(d, dump_prepared(d)), profile(d)
        assert _event_figures(stored) == _event_figures(built), d.id
        assert _event_figures(built), d.id
