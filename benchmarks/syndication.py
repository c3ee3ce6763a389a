"""A syndication corpus built from real articles with realistic wire edits.

Seeded and deterministic: the same seed and inputs give byte-identical output.
Each *source* is a real BBC or Reuters article. From it the generator makes
copies the way newsrooms do, each with the relation it should be found in:

duplicate  the text unchanged, wrapped in site boilerplate (ad markers,
           "Published -" stamps, share lines, copyright lines)
reprint    a new headline, trimmed from the bottom, one or two sentences edited,
           a local paragraph inserted, sometimes two sentences swapped
rewrite    a paraphrase: synonyms from a hand-made table of common news words,
           active/passive swaps on simple patterns, reported-speech and clause
           reordering, a few neighbouring sentences swapped; few word 5-grams survive
partial    one to three paragraphs (at most half the words) of the source embedded
           in a different real article (a "host" that is not itself in the corpus)

Articles sharing >= 20% of their word 5-grams with another article of the pool
(the corpora's own re-runs) are never used as sources or hosts.

Negatives are every pair of different families (a source and its copies form a
family); sources are drawn so that several share a BBC category, which makes
same-category different-story pairs the hard part of them. Pairs of two copies of
the same source (siblings) are not scored.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from dedup.records import Document

from . import data, oracle

KINDS = ("duplicate", "reprint", "rewrite", "partial")

# ---------------------------------------------------------------- text helpers

_SENT_RE = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'A-Z0-9])")


def paragraphs(doc: Document) -> list[str]:
    """Paragraphs with line wrapping undone (Reuters indents each paragraph by spaces)."""
    parts = re.split(r"\n[ \t]*\n|\n(?=[ \t]{2,}\S)", doc.text)
    out = [re.sub(r"\s+", " ", p).strip() for p in parts]
    out = [p for p in out if p]
    if out and out[-1] in {"Reuter", "REUTER"}:
        out.pop()
    return out


def sentences(par: str) -> list[str]:
    return [s.strip() for s in _SENT_RE.split(par) if s.strip()]


def _join(pars: Iterable[str]) -> str:
    return "\n\n".join(pars)


def _case_like(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# ---------------------------------------------------------------- boilerplate

_OUTLETS = ("The Daily Courier", "Northern Echo Online", "Metro Business Wire", "Valley Herald", "City Post")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")


def _stamp(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.choice(_MONTHS), rng.choice((2004, 2005))
    hh, mm = rng.randint(0, 23), rng.randint(0, 59)
    return rng.choice(
        (
            f"Published \u2013 {d} {m} {y}",
            f"Published: {hh:02d}:{mm:02d} GMT, {d} {m} {y}",
            f"Last updated at {hh:02d}:{mm:02d} GMT on {d} {m} {y}",
        )
    )


def _boilerplate_lines(rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """(lines before the story, ad lines to scatter inside, lines after the story)."""
    outlet = rng.choice(_OUTLETS)
    top = [_stamp(rng)]
    if rng.random() < 0.5:
        top.append(rng.choice(("Share this article", "Share on Facebook | Share on Twitter | Email")))
    ads = [rng.choice(("ADVERTISEMENT", "Advertisement", "- Advertisement -", "Story continues below advertisement"))]
    bottom = [
        rng.choice(("Share this article:", "Share on Facebook | Share on Twitter | Email this story", "Share")),
        f"Copyright {rng.choice((2004, 2005))} {outlet}. All rights reserved.",
    ]
    if rng.random() < 0.5:
        bottom.append(f"Follow {outlet} on Twitter and Facebook")
    return top, ads, bottom


def wrap_boilerplate(pars: list[str], rng: random.Random) -> list[str]:
    top, ads, bottom = _boilerplate_lines(rng)
    body = list(pars)
    if len(body) > 2:
        body.insert(rng.randint(1, len(body) - 1), ads[0])
    return top + body + bottom


# ---------------------------------------------------------------- reprint edits

_LOCAL_PLACES = ("Leeds", "Bristol", "Cardiff", "Aberdeen", "Norwich", "Plymouth", "Derby", "Swansea", "Hull", "Exeter")
_FIRST = ("Sarah", "David", "Aisha", "Tom", "Priya", "Gareth", "Helen", "Owen", "Maria", "James", "Fiona", "Rhys")
_LAST = ("Morgan", "Patel", "Hughes", "Clarke", "Evans", "Reid", "Okafor", "Turner", "Walsh", "Bennett", "Lloyd")
_ROLES = ("a spokesperson", "head of economic development", "a councillor", "chair of the traders' group",
          "a senior analyst", "the regional director", "a local MP's adviser", "chief executive")
_ORGS = ("the city council", "the chamber of commerce", "a regional bank", "the local enterprise board",
         "a community trust", "the county's largest employer", "the port authority", "a housing association")
_THINGS = ("firms", "households", "shops", "schools", "farms", "commuters", "suppliers", "clubs")
_EFFECTS = ("would feel the effects within months", "were already changing their plans",
            "had asked for a meeting with ministers", "expected little change this year",
            "were worried about costs", "welcomed the news cautiously", "might need extra support",
            "had not yet been consulted")


def local_paragraph(rng: random.Random) -> str:
    """A paragraph a regional paper adds; slot-filled so no two copies share a long run of words."""
    who = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    n = rng.randint(3, 400)
    return (f"{who}, {rng.choice(_ROLES)} at {rng.choice(_ORGS)} in {rng.choice(_LOCAL_PLACES)}, "
            f"said {n} local {rng.choice(_THINGS)} {rng.choice(_EFFECTS)}.")


_EDIT_ADDITIONS = (
    " officials confirmed on Tuesday",
    " according to people familiar with the matter",
    " the report said",
    " sources said",
)


def _edit_sentence(s: str, rng: random.Random) -> str:
    """A light newsroom edit: a clause added before the full stop, or a number rounded."""
    m = re.search(r"\d+\.\d+", s)
    if m and rng.random() < 0.5:
        rounded = str(round(float(m.group())))
        return s[: m.start()] + "about " + rounded + s[m.end() :]
    if s.endswith("."):
        return s[:-1] + "," + rng.choice(_EDIT_ADDITIONS) + "."
    return s


def make_reprint(src: Document, rng: random.Random) -> tuple[str, str, list[str]]:
    pars = paragraphs(src)
    log = []
    keep = max(2, round(len(pars) * rng.uniform(0.6, 0.85)))
    if keep < len(pars):
        log.append(f"trimmed {len(pars) - keep} of {len(pars)} paragraphs from the bottom")
    pars = pars[:keep]
    # edit one or two sentences
    for _ in range(rng.randint(1, 2)):
        pi = rng.randrange(len(pars))
        ss = sentences(pars[pi])
        si = rng.randrange(len(ss))
        ss[si] = _edit_sentence(ss[si], rng)
        pars[pi] = " ".join(ss)
    log.append("edited sentences")
    # light reordering: swap two adjacent sentences inside one paragraph
    if rng.random() < 0.5:
        for pi in rng.sample(range(len(pars)), len(pars)):
            ss = sentences(pars[pi])
            if len(ss) >= 2:
                k = rng.randrange(len(ss) - 1)
                ss[k], ss[k + 1] = ss[k + 1], ss[k]
                pars[pi] = " ".join(ss)
                log.append("swapped two sentences")
                break
    # a local paragraph
    pars.insert(rng.randint(1, len(pars)), local_paragraph(rng))
    log.append("inserted local paragraph")
    title = _new_headline(src, rng)
    log.append("new headline")
    if rng.random() < 0.5:
        pars = wrap_boilerplate(pars, rng)
        log.append("boilerplate")
    return title, _join(pars), log


def _new_headline(src: Document, rng: random.Random) -> str:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", src.text)[:40]
    caps = [w for w in words if w[:1].isupper() and len(w) > 3][:3]
    lead = " ".join(caps) if caps else "Update"
    return rng.choice((f"{lead}: what we know", f"Latest: {lead}", f"{lead} news in brief", f"Update on {lead}"))


# ---------------------------------------------------------------- paraphrase

# Hand-made table of common news words and phrases -> a plain paraphrase. Lower case;
# matched on word boundaries, case of the first letter kept.
SYNONYMS: dict[str, str] = {
    "because of": "due to", "in order to": "to", "more than": "over", "less than": "under",
    "a number of": "several", "as well as": "and also", "at the moment": "currently",
    "in the past": "previously", "on the other hand": "however", "at least": "no fewer than",
    "according to": "citing", "in addition": "additionally", "as a result": "consequently",
    "company": "firm", "companies": "firms", "firm": "company", "firms": "companies",
    "said": "stated", "says": "states", "told": "informed", "announced": "unveiled",
    "increase": "rise", "increased": "rose", "rise": "increase", "rose": "climbed", "rises": "climbs",
    "fell": "dropped", "fall": "drop", "falls": "drops", "drop": "decline", "dropped": "declined",
    "profits": "earnings", "profit": "earnings", "earnings": "profits", "sales": "turnover",
    "shares": "stock", "share": "stake", "government": "administration", "country": "nation",
    "countries": "nations", "people": "individuals", "big": "large", "large": "big", "huge": "vast",
    "help": "assist", "helped": "assisted", "buy": "purchase", "bought": "purchased", "sell": "offload",
    "sold": "offloaded", "start": "begin", "started": "began", "begin": "start", "began": "started",
    "end": "finish", "ended": "finished", "show": "reveal", "showed": "revealed", "shows": "reveals",
    "plan": "proposal", "plans": "proposals", "also": "additionally", "about": "around",
    "main": "principal", "major": "significant", "important": "key", "key": "crucial",
    "cut": "reduce", "cuts": "reductions", "need": "require", "needs": "requires", "needed": "required",
    "get": "obtain", "got": "obtained", "make": "produce", "made": "produced", "give": "provide",
    "gave": "provided", "expected": "forecast", "expects": "anticipates", "expect": "anticipate",
    "however": "but", "but": "yet", "although": "though", "while": "whereas", "despite": "in spite of",
    "before": "prior to", "after": "following", "during": "throughout", "within": "inside",
    "month": "month-long period", "week": "seven days", "today": "on this day", "yesterday": "the day before",
    "last": "previous", "next": "coming", "recent": "latest", "first": "initial", "final": "last",
    "high": "elevated", "low": "weak", "strong": "robust", "weak": "soft", "good": "positive",
    "bad": "negative", "hard": "difficult", "easy": "simple", "quickly": "rapidly", "fast": "rapid",
    "many": "numerous", "some": "certain", "most": "the majority of", "all": "every one of",
    "very": "highly", "really": "truly", "now": "currently", "still": "yet", "already": "previously",
    "chief": "head", "boss": "chief executive", "executive": "official", "officials": "authorities",
    "spokesman": "representative", "spokeswoman": "representative", "minister": "secretary of state",
    "deal": "agreement", "agreement": "accord", "talks": "negotiations", "meeting": "session",
    "market": "marketplace", "markets": "marketplaces", "price": "cost", "prices": "costs",
    "rate": "level", "rates": "levels", "growth": "expansion", "economy": "economic output",
    "money": "funds", "cash": "funds", "bank": "lender", "banks": "lenders", "customers": "clients",
    "workers": "employees", "staff": "personnel", "jobs": "posts", "job": "post", "trade": "commerce",
    "win": "victory", "won": "claimed", "lost": "was beaten in", "beat": "defeated", "match": "game",
    "game": "match", "team": "side", "players": "squad members", "player": "athlete", "coach": "manager",
    "film": "movie", "films": "movies", "show's": "programme's", "music": "songs", "star": "celebrity",
    "award": "prize", "awards": "prizes", "album": "record", "band": "group", "singer": "vocalist",
    "technology": "tech", "users": "consumers", "phone": "handset", "phones": "handsets",
    "computer": "PC", "computers": "PCs", "internet": "web", "online": "on the web", "software": "programs",
    "party": "political party", "election": "vote", "voters": "the electorate", "leader": "head",
    "law": "legislation", "laws": "rules", "report": "study", "figures": "data", "data": "figures",
    "warned": "cautioned", "claimed": "asserted", "believes": "thinks", "think": "believe",
    "explained": "said", "described": "called", "called": "described",
    "problem": "issue", "problems": "issues", "issue": "matter", "decision": "ruling", "move": "step",
    "way": "manner", "part": "portion", "number": "figure", "group": "organisation", "firm's": "company's",
    "company's": "firm's", "government's": "administration's", "mln": "million", "dlrs": "dollars",
    "pct": "percent", "billion": "bln", "million": "mln", "per cent": "percent", "percent": "per cent",
    # auxiliaries, negation and modal verbs: contractions and near-equivalents
    "has been": "was", "have been": "were", "had been": "was", "it is": "it's", "did not": "didn't",
    "does not": "doesn't", "do not": "don't", "is not": "isn't", "was not": "wasn't", "will not": "won't",
    "cannot": "can't", "would not": "wouldn't", "could not": "couldn't", "will": "is set to",
    "would": "was likely to", "could": "might", "should": "ought to", "must": "has to", "can": "is able to",
    "there is": "there's", "there are": "there remain", "going to": "set to", "able to": "in a position to",
    # frequent verbs, nouns and adjectives of news copy
    "including": "among them", "around": "roughly", "almost": "nearly", "nearly": "almost",
    "between": "among", "against": "versus", "vs": "versus", "into": "in to", "under": "below",
    "because": "as", "since": "as", "so": "therefore", "if": "should", "when": "once", "until": "till",
    "use": "employ", "used": "employed", "using": "employing", "want": "wish", "wants": "wishes",
    "added": "continued", "saying": "stating", "believed": "thought", "set": "due", "took": "seized",
    "take": "seize", "come": "arrive", "came": "arrived", "go": "proceed", "went": "proceeded",
    "found": "discovered", "find": "discover", "keep": "retain", "kept": "retained", "put": "placed",
    "called for": "urged", "due": "scheduled", "likely": "probable", "possible": "feasible",
    "several": "a number of", "other": "further", "others": "other people", "own": "very own",
    "total": "overall", "current": "present", "currently": "at present", "former": "previous",
    "only": "just", "just": "only", "even": "indeed", "again": "once more", "ago": "earlier",
    "earlier": "previously", "later": "subsequently", "then": "after that", "soon": "shortly",
    "early": "at the start of", "late": "toward the end of", "such as": "like", "like": "such as",
    "business": "enterprise", "industry": "sector", "sector": "industry", "service": "offering",
    "services": "offerings", "system": "scheme", "systems": "schemes", "public": "general public",
    "world": "globe", "national": "nationwide", "international": "global", "global": "worldwide",
    "city": "town", "state": "government-run", "british": "UK", "uk": "British", "us": "American",
    "american": "US", "president": "head of state", "home": "house", "house": "home",
    "child": "youngster", "children": "youngsters", "told reporters": "said to journalists",
    "quarter": "three-month period", "annual": "yearly", "average": "mean", "level": "degree",
    "loss": "deficit", "losses": "deficits", "debt": "borrowings", "investors": "shareholders",
    "shareholders": "investors", "results": "figures", "net": "after-tax", "revenue": "income",
    "revenues": "incomes", "income": "revenue", "output": "production", "production": "output",
}
_SYN_RE = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)

_PASSIVE_VERBS = {
    "acquired": "acquired", "bought": "bought", "approved": "approved", "rejected": "rejected",
    "launched": "launched", "signed": "signed", "won": "won", "announced": "announced",
    "criticised": "criticised", "criticized": "criticized", "backed": "backed", "opposed": "opposed",
    "raised": "raised", "cut": "cut", "reported": "reported", "released": "released", "sold": "sold",
}
_ACTIVE_RE = re.compile(
    r"^(?P<subj>(?:The|A|An|Its|Their) [a-z][\w'-]*|(?:The |A |An )?[A-Z][\w'-]*(?: [A-Z][\w'-]*){0,3}) (?P<verb>"
    + "|".join(_PASSIVE_VERBS)
    + r") (?P<obj>(?:the|a|an|its|their|his|her) [\w'-]+(?: [\w'-]+){0,3}?)(?P<rest>(?: on | in | at | for | after |,|\.).*)$"
)
_SAID_THAT_RE = re.compile(r"^(?P<who>[A-Z][\w' .-]{1,60}?) (?:said|says|stated|states) (?:that )?(?P<what>[a-z].*)\.$")
_TRAIL_SAID_RE = re.compile(r"^(?P<what>.+), (?P<who>[a-z]+|[A-Z][\w' .-]{1,40}?) (?:said|says|added)\.$")
_CLAUSE_RE = re.compile(r"^(?P<main>.+?), (?P<conj>although|because|while|after|before|as|since|but) (?P<sub>.+)\.$")
_LEADING_RE = re.compile(r"^(?P<conj>Although|Because|While|After|Before|Since|As) (?P<sub>[^,]+), (?P<main>.+)\.$")


def _lower_first(s: str) -> str:
    """Lower-case the first letter when the first word is a common word (not a name)."""
    first = s.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and not first[1].isupper():
        low = first.lower()
        if low in ENGLISH_STOP_WORDS or low in SYNONYMS:
            return s[0].lower() + s[1:]
    return s


def _upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def voice_and_clauses(s: str, rng: random.Random) -> str:
    """One structural rewrite of a sentence, when a simple pattern fits."""
    m = _ACTIVE_RE.match(s)
    if m and rng.random() < 0.9:
        rest = m["rest"]
        return f"{_upper_first(m['obj'])} was {m['verb']} by {_lower_first(m['subj'])}{rest}"
    m = _SAID_THAT_RE.match(s)
    if m and rng.random() < 0.9:
        return f"{_upper_first(m['what'])}, {_lower_first(m['who'])} said."
    m = _TRAIL_SAID_RE.match(s)
    if m and rng.random() < 0.9 and not m["what"].startswith('"'):
        return f"{_upper_first(m['who'])} said that {_lower_first(m['what'])}."
    m = _CLAUSE_RE.match(s)
    if m and m["conj"] != "but" and rng.random() < 0.9:
        return f"{_upper_first(m['conj'])} {m['sub']}, {_lower_first(m['main'])}."
    m = _LEADING_RE.match(s)
    if m and rng.random() < 0.9:
        return f"{_upper_first(m['main'])} {m['conj'].lower()} {m['sub']}."
    return s


def synonyms(s: str, rng: random.Random, rate: float = 0.95) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(0)
        if rng.random() > rate:
            return w
        return _case_like(SYNONYMS[w.lower()], w)

    return _SYN_RE.sub(sub, s)


def _split_compound(s: str, rng: random.Random) -> list[str]:
    """'A, and B.' or 'A; B.' -> two sentences, as sub-editors shorten long wire sentences."""
    m = re.match(r"^(?P<a>.{30,}?)(?:, and |; )(?P<b>[a-z].{20,})$", s)
    if m and rng.random() < 0.8:
        return [m["a"].rstrip(",") + ".", _upper_first(m["b"])]
    return [s]


_FILLERS = ("notably", "in fact", "meanwhile", "for its part", "by contrast", "in particular")


def _number_style(s: str) -> str:
    s = re.sub(r"(\d+(?:\.\d+)?)%", r"\1 per cent", s)
    s = re.sub(r"\$(\d+(?:\.\d+)?)bn", r"\1 billion dollars", s)
    s = re.sub(r"\$(\d+(?:\.\d+)?)m\b", r"\1 million dollars", s)
    s = re.sub(r"\u00a3(\d+(?:\.\d+)?)bn", r"\1 billion pounds", s)
    s = re.sub(r"\u00a3(\d+(?:\.\d+)?)m\b", r"\1 million pounds", s)
    return s


def make_rewrite(src: Document, rng: random.Random) -> tuple[str, str, list[str]]:
    pars = paragraphs(src)
    out_pars = []
    for par in pars:
        ss = [voice_and_clauses(s, rng) for s in sentences(par)]
        ss = [_number_style(synonyms(s, rng)) for s in ss]
        ss = [x for s in ss for x in _split_compound(s, rng)]
        # a connective now and then, which breaks 5-grams at sentence starts
        ss = [
            (f"{_upper_first(rng.choice(_FILLERS))}, {_lower_first(s)}" if rng.random() < 0.25 and len(s) > 40 else s)
            for s in ss
        ]
        # sentence order kept mostly: one neighbour swap in some paragraphs
        if len(ss) >= 2 and rng.random() < 0.4:
            k = rng.randrange(len(ss) - 1)
            ss[k], ss[k + 1] = ss[k + 1], ss[k]
        out_pars.append(" ".join(ss))
    # paragraph order kept mostly: one neighbour swap in longer stories
    if len(out_pars) >= 4 and rng.random() < 0.5:
        k = rng.randrange(1, len(out_pars) - 1)
        out_pars[k], out_pars[k + 1] = out_pars[k + 1], out_pars[k]
    title = synonyms(src.title or _new_headline(src, rng), rng)
    return title, _join(out_pars), ["paraphrase: synonyms, voice/clause swaps, light reordering"]


# ---------------------------------------------------------------- partial


def make_partial(src: Document, host: Document, rng: random.Random) -> tuple[str, str, list[str]]:
    sp = paragraphs(src)
    hp = paragraphs(host)
    max_n = max(1, len(sp) // 2)  # at most half the source: more would be a trimmed reprint
    n = rng.randint(1, min(3, max_n))
    start = rng.randrange(0, len(sp) - n + 1)
    excerpt = sp[start : start + n]
    while sum(len(p.split()) for p in excerpt) < 50 and start + len(excerpt) < len(sp) and len(excerpt) < max_n:
        excerpt.append(sp[start + len(excerpt)])  # an excerpt is a passage, not a one-line quote
        n += 1
    total = sum(len(p.split()) for p in sp)
    while len(excerpt) > 1 and sum(len(p.split()) for p in excerpt) > total / 2:
        excerpt.pop()  # at most half the source's words
        n -= 1
    intro = rng.choice(("As reported earlier:", "Background:", "From the wires:", ""))
    at = rng.randint(1, max(1, len(hp)))
    pars = hp[:at] + ([intro] if intro else []) + excerpt + hp[at:]
    return host.title or _new_headline(host, rng), _join(pars), [f"excerpt of {n} paragraph(s) in host {host.id}"]


# ---------------------------------------------------------------- corpus


@dataclass(frozen=True, slots=True)
class Expected:
    source: str  # id of the source article
    copy: str  # id of the generated copy
    kind: str  # one of KINDS
    edits: tuple[str, ...] = ()


@dataclass(slots=True)
class SyndicationCorpus:
    docs: list[Document]
    expected: list[Expected]
    family: dict[str, str] = field(default_factory=dict)  # doc id -> source id
    category: dict[str, str] = field(default_factory=dict)  # doc id -> "bbc/<cat>" or "reuters"

    def raw_text(self, doc: Document) -> str:
        """The article as a file would hold it: headline, blank line, body."""
        return f"{doc.title}\n\n{doc.text}\n" if doc.title else doc.text + "\n"


def _long_enough(doc: Document, min_words: int, min_pars: int) -> bool:
    """Long enough to edit, and in mixed case (some Reuters stories are all upper or lower case)."""
    return (
        len(doc.text.split()) >= min_words
        and len(paragraphs(doc)) >= min_pars
        and len(re.findall(r"[.!?] [A-Z][a-z]", doc.text)) >= 3
    )


_TAINTED: dict[tuple[str, ...], frozenset[str]] = {}


def _near_duplicated(pool: list[Document]) -> frozenset[str]:
    """Ids of the articles sharing >= 20% of their word 5-grams with another (memoised per pool)."""
    key = tuple(d.id for d in pool)
    if key not in _TAINTED:
        near = oracle.exact_pairs([d.text for d in pool], threshold=0.2)
        _TAINTED[key] = frozenset(pool[i].id for i in near.i.tolist()) | {pool[j].id for j in near.j.tolist()}
    return _TAINTED[key]


def build(
    *,
    sources: int = 200,
    seed: int = 20260421,
    bbc_docs: Sequence[Document] | None = None,
    reuters_docs: Sequence[Document] | None = None,
) -> SyndicationCorpus:
    """``sources`` real articles (half BBC, half Reuters) and four copies of each, one per relation kind."""
    rng = random.Random(seed)
    bbc_docs = list(bbc_docs) if bbc_docs is not None else list(data.bbc())
    reuters_docs = list(reuters_docs) if reuters_docs is not None else list(data.reuters())
    bbc_pool = [d for d in bbc_docs if _long_enough(d, 200, 4)]
    reu_pool = [d for d in reuters_docs if _long_enough(d, 200, 4)]
    # both corpora hold their own near-duplicates (BBC re-ran stories, Reuters re-sent them):
    # drop every article that shares >= 20% of its word 5-grams with another, so sources,
    # hosts and negatives are truly unrelated and every expected relation is the only one
    tainted = _near_duplicated(bbc_pool + reu_pool)
    bbc_pool = [d for d in bbc_pool if d.id not in tainted]
    reu_pool = [d for d in reu_pool if d.id not in tainted]
    n_bbc = sources // 2
    n_reu = sources - n_bbc
    # draw BBC sources category by category so same-category negatives are plentiful
    by_cat: dict[str, list[Document]] = {}
    for d in bbc_pool:
        by_cat.setdefault(data.category_of(d) or "", []).append(d)
    picked_bbc: list[Document] = []
    cats = sorted(by_cat)
    for i in range(n_bbc):
        pool = by_cat[cats[i % len(cats)]]
        picked_bbc.append(pool.pop(rng.randrange(len(pool))))
    picked_reu = rng.sample(reu_pool, n_reu)
    picked = picked_bbc + picked_reu
    used = {d.id for d in picked}
    hosts = [d for d in bbc_pool + reu_pool if d.id not in used]  # bbc_pool lost the picked ones already

    corpus = SyndicationCorpus(docs=[], expected=[])
    for src in picked:
        pars = paragraphs(src)
        original = Document(id=src.id, text=_join(pars), title=src.title, source=src.source, published=src.published)
        corpus.docs.append(original)
        corpus.family[src.id] = src.id
        corpus.category[src.id] = src.source or ""
        made: list[tuple[str, str, str, list[str]]] = []
        made.append(("duplicate", src.title or "", _join(wrap_boilerplate(pars, rng)), ["boilerplate"]))
        made.append(("reprint", *make_reprint(original, rng)))
        made.append(("rewrite", *make_rewrite(original, rng)))
        host = hosts.pop(rng.randrange(len(hosts)))
        made.append(("partial", *make_partial(original, host, rng)))
        for kind, title, text, log in made:
            cid = f"{src.id}~{kind}"
            corpus.docs.append(Document(id=cid, text=text, title=title or None, source=f"syndicated/{kind}"))
            corpus.expected.append(Expected(source=src.id, copy=cid, kind=kind, edits=tuple(log)))
            corpus.family[cid] = src.id
            corpus.category[cid] = src.source or ""
    return corpus
