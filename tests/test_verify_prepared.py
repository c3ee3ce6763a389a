"""dedup.verify's stored form of a document's verification data: ``load_prepared`` of
``dump_prepared`` gives a profile (and sentence data) with which ``verify`` answers exactly
as with the profile it builds itself, in any process; stale or foreign bytes are refused."""

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from dedup import verify as V
from dedup.align import sentence_data
from dedup.records import Document, Zone


def _variants(seeds):
    """The seeds plus the shapes a stored form must carry: a caption zone, a capped text,
    a non-ASCII text, a text set in capitals, a text of one short line, an empty text."""
    out = dict(seeds)
    s0 = seeds[0]
    cut = s0.text.index("\n", len(s0.text) // 2)
    out["caption"] = Document(id="caption", text=s0.text, zones=(Zone(0, cut, "caption"),))
    out["capped"] = Document(id="capped", text=(s0.text + "\n\n") * (V.MAX_VERIFY_CHARS // len(s0.text) + 2))
    out["accents"] = Document(id="accents", text=seeds[1].text.replace("e", "\u00e9").replace("Pakistan", "P\u00e2kistan"))
    out["capitals"] = Document(id="capitals", text=seeds[1].text.upper())
    out["short"] = Document(id="short", text="Quetta, Pakistan.")
    out["empty"] = Document(id="empty", text="")
    return out


def _stored(doc, sentences=True):
    return V.load_prepared(doc, V.dump_prepared(doc, sentences=sentences))


def test_the_seeds_carry_credits_to_store(seeds):
    assert V._credits(seeds[0]) and V._credits(seeds[4])  # AFP, Reuters


@pytest.mark.parametrize("sentences", [True, False], ids=["whole", "profile-only"])
def test_verify_with_stored_profiles_answers_as_without(seeds, sentences):
    docs = _variants(seeds)
    checked = related = 0
    for a in docs.values():
        for b in docs.values():
            if a is b:
                continue
            want = V.verify(a, b)
            got = V.verify(a, b, pa=_stored(a, sentences), pb=_stored(b, sentences))
            assert got == want, (a.id, b.id)
            checked += 1
            related += want is not None
    assert checked == 110 and related >= 10  # the seed relations and the variants' are in


@pytest.mark.parametrize("sentences", [True, False], ids=["whole", "profile-only"])
def test_stored_profile_equals_built_profile(seeds, sentences):
    assert not V.profile(_variants(seeds)["capitals"]).cased
    for doc in _variants(seeds).values():
        want, got = V.profile(doc), _stored(doc, sentences)
        # a profile-only form leaves the sentence data and credits to be built when needed
        assert ("stored" in got.lazy and "credits" in got.lazy) == sentences, doc.id
        for name in ("starts", "ends", "shingles", "body_set", "all_set", "caption_pos", "sample"):
            assert np.array_equal(getattr(got, name), getattr(want, name)), (doc.id, name)
        for name in ("text", "capped", "key", "content", "entities", "event_entities", "n_words", "cased"):
            assert getattr(got, name) == getattr(want, name), (doc.id, name)
        assert V.credits_of(got) == V._credits(doc), doc.id
        sd_want, sd_got = sentence_data(want.text, doc.zones), V._sentence_data(got)
        assert sd_got.sents == sd_want.sents
        for name in ("vocab", "rows", "key"):
            assert np.array_equal(getattr(sd_got, name), getattr(sd_want, name)), (doc.id, name)
        # the same (sentence, term) entries; in a sentence, stored in column order
        assert sorted(zip(sd_got.rows.tolist(), sd_got.cols.tolist())) == sorted(
            zip(sd_want.rows.tolist(), sd_want.cols.tolist())), doc.id


# sha256 of the seeds' stored forms. When this fails, what verification prepares per
# document has changed: bump verify.PREPARED_VERSION (stored forms of the old version are
# then recomputed instead of loaded) and put the new digest here.
PINNED = (4, "97991c64dd369ed8")


def _digest(seeds) -> str:
    h = hashlib.sha256()
    for n in sorted(seeds):
        h.update(V.dump_prepared(seeds[n]))
    return h.hexdigest()[:16]


def test_profile_only_form_holds_no_sentence_data(seeds):
    doc = seeds[0]
    whole, bare = V.dump_prepared(doc), V.dump_prepared(doc, sentences=False)
    assert len(bare) < len(whole)
    head = V._HEAD.unpack_from(bare)
    assert head[2] & V._NO_SENTENCES and head[9:12] == (0, 0, 0) and head[14] == 0  # vocabulary, entries, sentences; credits
    assert not V._HEAD.unpack_from(whole)[2] & V._NO_SENTENCES


def test_stored_form_is_pinned_to_its_version(seeds):
    assert (V.PREPARED_VERSION, _digest(seeds)) == PINNED, (
        "the stored verification data changed: bump dedup.verify.PREPARED_VERSION and update PINNED"
    )


def test_stored_form_is_the_same_in_another_process(seeds):
    """Keys and term ids are fixed hashes, not Python's per-process string hash."""
    code = (
        "import sys; sys.path[:0] = [sys.argv[1]]\n"
        "from conftest import seed_document\n"
        "from dedup import verify as V\n"
        "print(V.dump_prepared(seed_document(0)).hex())\n"
    )
    here = os.path.dirname(__file__)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code, here], env=env, capture_output=True, text=True, check=True)
    assert bytes.fromhex(out.stdout.strip()) == V.dump_prepared(seeds[0])


def test_other_versions_and_foreign_bytes_are_refused(seeds):
    doc = seeds[0]
    blob = V.dump_prepared(doc)
    other = bytearray(blob)
    other[3] = (V.PREPARED_VERSION + 1) % 256
    assert V.load_prepared(doc, bytes(other)) is None  # recompute
    with pytest.raises(ValueError, match="another text"):
        V.load_prepared(seeds[1], blob)
    with pytest.raises(ValueError, match="another text"):
        V.load_prepared(Document(id=doc.id, text=doc.text + " More."), blob)
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    with pytest.raises(ValueError, match="damaged"):
        V.load_prepared(doc, bytes(flipped))
    with pytest.raises(ValueError):
        V.load_prepared(doc, blob[:-3])
    with pytest.raises(ValueError):
        V.load_prepared(doc, blob + b"x")
    with pytest.raises(ValueError, match="not a stored"):
        V.load_prepared(doc, b"garbage" * 20)
    with pytest.raises(ValueError, match="not a stored"):
        V.load_prepared(doc, b"")
