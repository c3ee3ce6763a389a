"""`dedup scan --format html`: one self-contained page of reprint chains."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
import scan_fixture
from click.testing import CliRunner

from dedup.cli import main
from dedup.records import Document, ScanResult, Skipped, Story
from dedup.report import scan_html
from dedup.report.scan_view import ScanView

_VOID = {"meta", "br"}


class _Tree(HTMLParser):
    """Checks that every element is closed in order; collects text and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _page(result: ScanResult) -> tuple[str, _Tree]:
    buf = io.StringIO()
    scan_html.write_html(result, buf)
    tree = _Tree()
    tree.feed(buf.getvalue())
    tree.close()
    return buf.getvalue(), tree


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan_fixture.scan_result()


def test_page_is_well_formed_and_self_contained(result):
    page, tree = _page(result)
    assert page.startswith("<!DOCTYPE html>")
    assert tree.errors == [] and tree.stack == []
    assert tree.external == []  # no scripts, stylesheets or images to fetch


def test_every_story_edge_and_member_is_on_the_page(result):
    page, tree = _page(result)
    text = "".join(tree.text)
    view = ScanView(result)
    for story in result.stories:
        if len(story.members) > 1:
            assert f'id="{story.id}"' in page
            for why in story.origin_evidence:
                assert why in text
            for edge in story.edges:
                assert "; ".join(edge.evidence) in text
                assert edge.copy in text
    for doc_id in view.unrelated():
        assert doc_id in text
    for event in result.events:
        assert event.id in text


def test_every_document_and_story_of_the_scan_is_on_the_page(result, seeds_dir):
    # a one-document story (seed 004, an own report of the event) was missing from the story
    # table, which stopped at "2 stories" minus one; an event's member outside its stories was
    # not on the page at all. The JSON lists every story, the terminal report every document.
    import json

    page = CliRunner().invoke(main, ["scan", str(seeds_dir), "--format", "html", "-q"]).stdout
    data = json.loads(CliRunner().invoke(main, ["scan", str(seeds_dir), "--format", "json", "-q"]).stdout)
    lone = [s for s in data["stories"] if len(s["members"]) == 1]
    assert lone and all(any(s["id"] in ev["stories"] for ev in data["events"]) for s in lone)
    toc = page[page.index('<table class="toc">'):page.index("</table>")]
    for story in data["stories"]:
        assert f'<a href="#{story["id"]}">{story["id"]}</a>' in toc  # listed, and the link lands
        assert page.count(f'id="{story["id"]}"') == 1
    for story in lone:
        (event,) = [ev["id"] for ev in data["events"] if story["id"] in ev["stories"]]
        doc = story["members"][0]
        assert f'own report in <a href="#{event}">{event}</a>' in toc
        assert f'<li id="{story["id"]}">own report <span class="doc">{doc}</span>' in page
    for doc in data["documents"]:
        assert f'<span class="doc">{doc["id"]}</span>' in page
    page, tree = _page(result)  # the hand-built result: 002#1 is an event's member in no story
    assert tree.errors == []
    for doc in result.documents:
        assert f'<span class="doc">{doc.id}</span>' in page, doc.id
    # a one-document story in no event (not made by a scan, but a ScanResult may hold one) is drawn
    alone = Document("alone.txt", "A report of its own.")
    page, _ = _page(ScanResult((alone,), (), (Story("story-1", ("alone.txt",), "alone.txt", (), ("the only member",)),),
                               (), ()))
    assert '<h2 id="story-1">story-1: 1 document</h2>' in page and '<a href="#story-1">story-1</a>' in page


def test_a_chain_nests_copies_of_copies_under_their_source():
    # origin -> a -> b: b's item sits inside a's list item.
    from test_cluster import _rel

    from dedup.cluster import build_stories

    docs = [Document(i, f"text {i}", published=f"2026-01-01T0{k}:00:00+00:00") for k, i in enumerate(["o", "a", "b"])]
    rels = [_rel("a", "o", 0.9), _rel("a", "b", 0.9)]
    stories, events = build_stories(rels, docs, credits_of=lambda d: ())
    page, tree = _page(ScanResult(tuple(docs), tuple(rels), stories, events, ()))
    assert tree.errors == []
    chain = page[page.index('<ul class="chain">'):]
    assert re.search(r'>a</span>.*?<ul><li>.*?>b</span>', chain, re.S)


def test_hostile_names_and_titles_are_escaped_and_odd_bytes_shown():
    doc = Document("<b>x</b>.txt", "Some text here.", title='"><script>alert(1)</script>')
    bad = Skipped("caf\udce9.txt", "cannot read 'caf\\xe9.txt': not UTF-8", None)
    page, tree = _page(ScanResult((doc,), (), (), (), (bad,)))
    assert "<script>" not in page and "<b>x</b>" not in page
    assert tree.external == [] and tree.errors == []
    assert "caf\\xe9.txt" in "".join(tree.text)
    page.encode("utf-8")  # no lone surrogates left


def test_renamed_inputs_are_listed_as_in_the_terminal_report():
    """An input renamed for an id clash is on the page, as in the JSON and terminal reports:
    counted in the summary line and listed under Renamed with its reason, before Skipped."""
    first = Document("x", "One article about the harbour.", path="a.jsonl")
    second = Document("x~2", "Another article about <the> harbour.", path="b&c.jsonl", renamed_from="x")
    bad = Skipped("c.txt", "cannot read 'c.txt': empty file (0 bytes); add text or leave it out", "c.txt")
    page, tree = _page(ScanResult((first, second), (), (), (), (bad,)))
    assert tree.errors == []
    text = " ".join("".join(tree.text).split())
    assert "1 skipped, 1 renamed;" in text
    assert "Renamed: 1 input whose id could not be kept" in text
    assert "x~2: 'b&c.jsonl': id 'x' is taken by an earlier input, renamed 'x~2'; give each input its own id" in text
    assert text.index("Renamed: 1 input") < text.index("Skipped: 1 input")
    assert "b&amp;c.jsonl" in page
    page, _ = _page(ScanResult((first,), (), (), (), ()))
    assert "Renamed" not in page and "renamed;" not in page


def test_empty_scan_page():
    page, tree = _page(scan_fixture.empty_result())
    assert tree.errors == [] and "0 stories" in page
    assert "Nothing to compare: no documents were found." in page  # as the terminal report says
    bad = Skipped("c.txt", "cannot read 'c.txt': empty file (0 bytes); add text or leave it out", "c.txt")
    page, _ = _page(ScanResult((), (), (), (), (bad,)))
    assert "Nothing to compare: no documents were found." not in page and "Skipped: 1 input" in page


def test_cli_writes_the_page(tmp_path):
    (tmp_path / "a.txt").write_text("Rebels attacked the city on Saturday, killing 12 people, officials said. " * 6)
    (tmp_path / "b.txt").write_text("Rebels attacked the city on Saturday, killing 12 people, officials said. " * 6)
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["scan", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--format", "html", "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "duplicate" in page and "a.txt" in page and "b.txt" in page


def test_page_matches_golden(result, golden):
    from dedup import __version__

    page, _ = _page(result)
    golden("scan_report.html", page.replace(f"dedup {__version__} (", "dedup VERSION (", 1))


def test_every_pair_of_a_story_shows_its_reasons_and_drift_as_the_json_does(seeds_dir):
    # the "other pairs in this story" (001 ~ 003, partial) showed only their passages: their
    # reasons and their drift (3 high findings in the JSON) were left out of the page
    import json

    page = CliRunner().invoke(main, ["scan", str(seeds_dir), "--drift", "--format", "html", "-q"]).stdout
    data = json.loads(CliRunner().invoke(main, ["scan", str(seeds_dir), "--drift", "--format", "json", "-q"]).stdout)
    in_stories = [p for p in data["pairs"] if p["story"] is not None]
    assert page.count("<summary>drift:") + page.count("none of high severity") + page.count(
        "drift: no factual differences found") == sum(
        1 for p in in_stories if p["drift"] is not None)
    for p in in_stories:
        for why in p["reasons"]:
            assert why.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace(
                "'", "&#x27;") in page, why
