"""HTML -> main text, title and date, with trafilatura; never loses a page silently."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree as lxml_etree
from lxml import html as lxml_html

log = logging.getLogger(__name__)

_HTML_HINT_RE = re.compile(r"<(?:!doctype html|html|head|body|p|div|article|br|span|h[1-6])\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None
    published: str | None
    method: str  # "trafilatura" | "baseline" | "lxml"


def looks_like_html(text: str) -> bool:
    """True for markup (a page or a fragment), judged on its first kilobytes."""
    head = text[:4096].lstrip()
    return head.startswith("<") and _HTML_HINT_RE.search(head) is not None


def _paragraphs(text: str) -> str:
    """One block per line -> paragraphs separated by a blank line, as in text files."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


# Page chrome: navigation, the site's header and footer, side panels. Extraction that favours
# recall keeps their text when the page holds nothing else ("Home News" read as an article).
_CHROME_XPATH = "//nav|//footer|//aside|//header[not(ancestor::article) and not(ancestor::main)]"


def _without_chrome(markup: str) -> str:
    """``markup`` without its page chrome (_CHROME_XPATH); as given when it does not parse."""
    try:
        root = lxml_html.fromstring(markup)
    except (ValueError, TypeError, lxml_etree.LxmlError):
        return markup
    chrome = root.xpath(_CHROME_XPATH)
    if not chrome:
        return markup
    for el in chrome:
        el.drop_tree()
    return lxml_html.tostring(root, encoding="unicode")


def extract(markup: str) -> Extracted:
    """The article text of a page (its chrome left out: _CHROME_XPATH). Falls back to
    trafilatura's baseline, then to all text of the page."""
    # Imported on the first page: its import (dateparser, courlan, justext...) is a tenth of
    # a second that scans and checks of text and JSON never need.
    import trafilatura

    title = published = None
    markup = _without_chrome(markup)
    try:
        doc = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
        )
    except (ValueError, TypeError, AttributeError) as exc:  # trafilatura raises these on odd markup
        log.debug("trafilatura failed: %s", exc)
        doc = None
    if doc is not None:
        meta = doc if isinstance(doc, dict) else {k: getattr(doc, k, None) for k in ("title", "date", "text")}
        title = (meta.get("title") or "").strip() or None  # trafilatura 1.x returns a dict, 2.x a Document
        published = (meta.get("date") or "").strip() or None
        text = (meta.get("text") or "").strip()
        if text:
            return Extracted(_paragraphs(text), title, published, "trafilatura")
    _, text, _ = trafilatura.baseline(markup)
    if text and text.strip():
        return Extracted(_paragraphs(text), title, published, "baseline")
    try:
        root = lxml_html.fromstring(markup)
        for bad in root.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        text = _paragraphs(root.text_content())
    except (ValueError, TypeError, lxml_etree.LxmlError) as exc:  # empty or undecodable document
        log.debug("lxml failed: %s", exc)
        text = ""
    return Extracted(text, title, published, "lxml")
