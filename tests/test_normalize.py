"""dedup.normalize: the fast word path equals the tokenizer, offsets point at the words,
canonical text is idempotent."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedup.normalize import (
    STOP_WORDS,
    _tokenize_ascii,
    _tokenize_regex,
    ascii_view,
    canonical_text,
    canonical_word,
    content_stem,
    content_stem_list,
    content_stems,
    is_content,
    tokenize,
    words,
)

# Pieces news text is made of, including the ones the two code paths treat differently:
# curly and modifier apostrophes, possessives, digit groups, ligatures, accents, dashes.
_PIECES = st.sampled_from(
    [
        "Pakistan's", "Pakistan\u2019s", "PAKISTAN'S", "O'Brien", "rock'n'roll", "'s", "s's", "\u02bcs",
        "155,221", "2.0", "7:29", "1,000.5", "3,", ",4", "12th", "x\u00b2", "\u00bd",
        "caf\u00e9", "Caf\u00c9", "\ufb01sh", "Stra\u00dfe", "\u0130stanbul", "\u03a3\u039f\u03a3",
        "na\u00efve", "e\u0301", "\u201cquoted\u201d", "\u2018single\u2019", "\u2014", "-", "_", "__init__",
        "\u00a0", " ", "\n", "\t", ".", "!", "\u2026", "AP", "ap", "U.S.", "co-operate", "\u0661\u0662",
        "\uff21\uff22\uff23", "\u2163", "\u212a", "\U0001d400",
    ]
)
_NEWSY = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map(" ".join)


@given(st.one_of(st.text(), _NEWSY))
@example("Pakistan\u2019s 155,221 votes")
@example("from 1986's 901,757 to 2.0's")
@example("\u212aelvin")  # Kelvin sign: non-ASCII, lower-cases to ASCII "k"
@settings(max_examples=400, deadline=None)
def test_words_fast_path_equals_tokenize(text):
    assert words(text) == list(tokenize(text).words)


_ASCII_NEWSY = st.text(alphabet="abcXYZ019 '.,:-\n\"s", max_size=60)


@given(st.one_of(_ASCII_NEWSY, _NEWSY.filter(str.isascii)))
@example("Pakistan's 155,221 votes, 1.2.3 o'clock ''s 'tis rock'n'roll 7:29. a's b''s")
@settings(max_examples=400, deadline=None)
def test_ascii_fast_tokenizer_equals_the_regex(text):
    fast, ref = _tokenize_ascii(text), _tokenize_regex(text)
    assert fast.words == ref.words
    assert fast.starts.tolist() == ref.starts.tolist()
    assert fast.ends.tolist() == ref.ends.tolist()


@given(st.one_of(st.text(), _NEWSY))
@example("Pakistan\u2019s \u00a3155,221 \u201cvotes\u201d \u2014 don\u2019t \u2018no\u2019 x\u02bcs \u2026")
@settings(max_examples=400, deadline=None)
def test_ascii_view_has_the_words_of_the_text_at_the_same_offsets(text):
    view = ascii_view(text)
    if view is None:
        assert not text.isascii()
        return
    assert view.isascii() and len(view) == len(text)
    fast, ref = _tokenize_ascii(view), _tokenize_regex(text)
    assert fast.words == ref.words
    assert fast.starts.tolist() == ref.starts.tolist()
    assert fast.ends.tolist() == ref.ends.tolist()


def test_ascii_view_examples():
    assert ascii_view("Pakistan\u2019s \u00a35 \u201cok\u201d") == "Pakistan's  5  ok "
    assert ascii_view("plain") == "plain"
    for held in ("caf\u00e9", "x\u00b2", "\u212aelvin", "\ufb01sh", "\u0661"):  # characters words hold
        assert ascii_view(f"a {held} b") is None, held


@given(st.one_of(st.text(), _NEWSY))
@settings(max_examples=300, deadline=None)
def test_token_offsets_point_at_their_words(text):
    toks = tokenize(text)
    assert len(toks.words) == len(toks.starts) == len(toks.ends)
    prev_end = 0
    for w, s, e in zip(toks.words, toks.starts.tolist(), toks.ends.tolist()):
        assert prev_end <= s < e <= len(text)
        assert canonical_word(text[s:e]) == w
        prev_end = e


@given(st.one_of(st.text(), _NEWSY))
@settings(max_examples=300, deadline=None)
def test_canonical_text_is_idempotent(text):
    once = canonical_text(text)
    assert canonical_text(once) == once


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pakistan's army", ["pakistan", "army"]),
        ("Pakistan\u2019s army", ["pakistan", "army"]),
        ("PAKISTAN\u02bcS ARMY", ["pakistan", "army"]),
        ("O'Brien said", ["o'brien", "said"]),
        ("155,221 people", ["155,221", "people"]),
        ("at 7:29 on 2.0", ["at", "7:29", "on", "2.0"]),
        ("costs 3, 4 and 5.", ["costs", "3", "4", "and", "5"]),
        ("\u201cQuoted\u201d \u2014 text", ["quoted", "text"]),
        ("caf\u00e9 Caf\u00c9", ["caf\u00e9", "caf\u00e9"]),
        ("\ufb01sh", ["fish"]),
        ("snake_case", ["snake", "case"]),
        ("", []),
        ("... --- !!!", []),
    ],
    ids=[
        "possessive", "curly-possessive", "modifier-apostrophe-caps", "inner-apostrophe", "digit-group",
        "time-and-decimal", "trailing-comma-not-a-group", "curly-quotes-dash", "accents-case",
        "ligature", "underscore-splits", "empty", "punctuation-only",
    ],
)
def test_words_examples(text, expected):
    assert words(text) == expected
    assert list(tokenize(text).words) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("  Hello\u00a0\u00a0World\n\n", "hello world"),
        ("\u201cIt\u2019s\u201d \u2013 ok\u2026", "\"it's\" - ok..."),
        ("\uff21\uff22\uff23", "abc"),
    ],
    ids=["spaces", "quotes-dashes-ellipsis", "fullwidth"],
)
def test_canonical_text_examples(text, expected):
    assert canonical_text(text) == expected


def test_content_words_drop_stop_words_and_letters():
    ws = words("The minister said a 5% rise in Pakistan's exports was expected")
    assert [w for w in ws if is_content(w)] == ["minister", "rise", "pakistan", "exports", "expected"]
    assert content_stems(ws) == ["minist", "rise", "pakistan", "export", "expect"]


def test_stemming_is_safe_from_many_threads():
    import threading

    from dedup import normalize

    words = [f"report{i}ed" for i in range(4000)] + ["attacks", "militants", "coordinated"] * 500
    expected = {w: normalize.stem.__wrapped__(w) for w in set(words)}
    errors: list[BaseException] = []
    results: dict[str, str] = {}

    def work(chunk):
        try:
            for w in chunk:
                results[w] = normalize.stem.__wrapped__(w)
        except BaseException as exc:  # noqa: BLE001 - the test reports any crash
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(words[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == expected


def test_stop_words_are_scikit_learns_list_plus_reporting_verbs():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert ENGLISH_STOP_WORDS <= STOP_WORDS
    assert {"said", "told", "according", "mr"} <= STOP_WORDS - ENGLISH_STOP_WORDS
    assert len(STOP_WORDS - ENGLISH_STOP_WORDS) == 16



@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)).map(canonical_word), max_size=40))
@example(["running", "the", "1986", "a", "x", "pakistan", "said", "united", "\u00e9t\u00e9", "runs"])
@settings(max_examples=200, deadline=None)
def test_content_stem_list_is_content_stem_of_each(ws):
    assert content_stem_list(ws) == [content_stem(w) for w in ws]
