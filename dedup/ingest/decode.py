"""Bytes -> text: BOMs, UTF-8, UTF-16/32 without a BOM, Western single-byte fallbacks.

Order: a forced encoding (refused when it clearly misreads the bytes); a BOM; NUL-byte layout (UTF-16/32 without BOM, else binary);
strict UTF-8; UTF-8 with its few bad bytes read as cp1252; charset-normalizer when it finds a non-Latin script; UTF-8
mixed with more cp1252; cp1252; Latin-1.
Text full of control characters is binary whatever it decoded as.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
import sys
import unicodedata

from charset_normalizer import from_bytes

# Share of control characters (other than tab, newline, CR, form feed) above which decoded
# "text" is taken for binary data. Real articles have none; a stray one is tolerated.
MAX_CONTROL_SHARE = 0.01
# Share of 2-byte (4-byte) units holding a NUL in the same position for UTF-16 (UTF-32) text
# without a BOM: ASCII-heavy text has a NUL in every unit, other scripts in few.
MIN_NUL_UNIT_SHARE = 0.1
# charset-normalizer guesses badly on short inputs; below this many bytes it is not asked.
MIN_DETECT_BYTES = 64
# A forced encoding that misreads the bytes (--encoding utf-16 on a UTF-8 file gives CJK soup)
# is refused, rather than indexed as garbage, when the decoded text
# - holds under MAX_MISREAD_ASCII of ASCII characters while at least MIN_ASCII_BYTES of the
#   bytes are printable ASCII: every ASCII-compatible encoding (UTF-8, cp1252, Shift-JIS, ...)
#   reads such bytes as mostly ASCII; UTF-16 text has NULs or, in CJK, about half such bytes;
MIN_ASCII_BYTES = 0.9
MAX_MISREAD_ASCII = 0.5
# - is UTF-16/32 in one byte order while the NUL bytes sit where the other one puts them;
# - or holds more than this share of unassigned or private-use code points (real text: none);
MAX_UNASSIGNED_SHARE = 0.01
# - or was read one byte a character (latin-1, cp1252, ...) from bytes that are valid UTF-8 with
#   non-ASCII characters: "’" read as "â€™". Text in a one-byte code page is valid UTF-8 only
#   when every byte over 0x7F happens to sit in a lead-and-continuation pattern ("Ã©"), which
#   real prose does not do.
# Bytes that are not valid UTF-8 are still read as UTF-8 when at least this share of their
# non-ASCII characters are good UTF-8 sequences (a UTF-8 file cut inside a character, or with a
# paragraph of cp1252 or Latin-1 pasted in); cp1252 text scores 0, GBK ~0.1. Each bad byte is
# read as cp1252 (the pasted "\x93" is a curly quote, a Latin-1 "\xe9" an "é"), a character
# cut at the end is U+FFFD. Read as cp1252 instead, every good character of such a file would
# turn into two or three ("’" into "â€™"); read as Latin-1, cp1252's quotes are C1 controls
# and the file looked binary.
MIN_UTF8_SHARE = 0.75
# The same at a lower share, once a non-Latin script's legacy encoding is ruled out (EUC-KR's
# byte pairs are often valid UTF-8 by chance).
MIN_MIXED_UTF8_SHARE = 0.2

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters other than tab, newline, vertical tab, form feed and CR; DEL and C1 controls.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class NotText(ValueError):
    """The bytes are not text in any encoding tried; ``str(exc)`` says why (no file name)."""


def nul_layout(data: bytes) -> str | None:
    """UTF-16/32 endianness guessed from where NUL bytes sit, or None when they sit nowhere in particular."""
    size = len(data)
    for width, names in ((4, ("utf-32-le", "utf-32-be")), (2, ("utf-16-le", "utf-16-be"))):
        units = size // width
        if units == 0 or size % width:
            continue
        if width == 4:
            le = sum(1 for k in range(0, units * 4, 4) if data[k + 2] == 0 and data[k + 3] == 0)
            be = sum(1 for k in range(0, units * 4, 4) if data[k] == 0 and data[k + 1] == 0)
        else:
            le = data[1::2].count(0)
            be = data[0::2].count(0)
        if le >= MIN_NUL_UNIT_SHARE * units and be <= 0.02 * units:
            return names[0]
        if be >= MIN_NUL_UNIT_SHARE * units and le <= 0.02 * units:
            return names[1]
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL_RE.findall(text)) / len(text)


def _non_latin_script(text: str) -> bool:
    """True when most non-ASCII letters of the text are outside the Latin script."""
    latin = other = 0
    for c in text:
        if c > "\x7f" and c.isalpha():
            if unicodedata.name(c, "").startswith("LATIN"):
                latin += 1
            else:
                other += 1
    return other > latin


def _checked(text: str, encoding: str) -> tuple[str, str]:
    share = _control_share(text)
    if share > MAX_CONTROL_SHARE:
        raise NotText(f"binary data ({share:.0%} control characters as {encoding})")
    return text.removeprefix("\ufeff"), encoding


_PRINTABLE_ASCII = b"\t\n\r\f" + bytes(range(0x20, 0x7F))


def _misread(data: bytes, text: str, encoding: str) -> None:
    """Raise NotText when ``text``, decoded from ``data`` with a forced ``encoding``, is clearly not text."""
    if not text:
        return
    # Counted in C (these run on every file read with --encoding): the bytes left after deleting
    # the printable ASCII ones, the characters ASCII encoding keeps, each distinct character once.
    ascii_bytes = (len(data) - len(data.translate(None, _PRINTABLE_ASCII))) / len(data)
    ascii_chars = len(text.encode("ascii", "ignore")) / len(text)
    if ascii_bytes >= MIN_ASCII_BYTES and ascii_chars < MAX_MISREAD_ASCII:
        raise NotText(
            f"not text as {encoding} ({ascii_bytes:.0%} of the bytes are ASCII text, read as {1 - ascii_chars:.0%} "
            "non-ASCII characters)"
        )
    name = codecs.lookup(encoding).name
    if name in ("utf-16", "utf-32") and not data.startswith(tuple(bom for bom, _ in _BOMS)):
        name += "-le" if sys.byteorder == "little" else "-be"  # what the codec assumes without a BOM
    layout = nul_layout(data)
    if layout is not None and name in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be") and layout != name:
        raise NotText(f"not text as {encoding} (its NUL bytes are laid out as {layout})")
    if len(text) == len(data) and not data.isascii():  # one byte a character
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            wide = [c for c in utf8 if c >= "\x80"]
            raise NotText(f"not text as {encoding} (its bytes are UTF-8: {len(wide)} characters such as "
                          f"'{wide[0]}' would each read as {len(wide[0].encode())})")
    odd = sum(n for c, n in Counter(text).items() if unicodedata.category(c) in ("Cn", "Co", "Cs"))
    if odd > MAX_UNASSIGNED_SHARE * len(text):
        raise NotText(f"not text as {encoding} ({odd / len(text):.0%} unassigned or private-use characters)")


_CP1252_BYTES = tuple(bytes([b]).decode("cp1252", errors="replace") for b in range(256))


def _bad_utf8_as_cp1252(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: the bytes of a bad UTF-8 sequence read one by one as cp1252, except a
    character cut at the end of the data (U+FFFD)."""
    bad = exc.object[exc.start : exc.end]
    if exc.end == len(exc.object) and bad[0] >= 0xC2:
        return "\ufffd", exc.end
    return "".join(_CP1252_BYTES[b] for b in bad), exc.end


codecs.register_error("dedup-utf8-cp1252", _bad_utf8_as_cp1252)


def _mostly_utf8(data: bytes, share: float = MIN_UTF8_SHARE) -> tuple[str, str] | None:
    """UTF-8 text with a few bad bytes (a file cut inside a character, one byte of another
    encoding pasted in, a flipped bit), decoded with U+FFFD for each bad sequence; None when the
    bytes are not mostly UTF-8. Read as cp1252 instead, every good character of such a file
    would turn into two or three ("’" into "â€™") and the file would be indexed as that.
    Text in a one-byte code page or a CJK legacy encoding is almost never valid UTF-8 in its
    bytes over 0x7F, so MIN_UTF8_SHARE of them in good sequences tells them apart."""
    text = data.decode("utf-8", errors="replace")
    written = data.count("\ufffd".encode())  # U+FFFD the file itself holds
    bad = text.count("\ufffd") - written
    good = sum(1 for c in text if c > "\x7f") - bad - written
    if bad <= 0 or good < share * (good + bad):
        return None
    text = data.decode("utf-8", errors="dedup-utf8-cp1252")
    return _checked(text, f"utf-8 ({bad} bad byte sequence{'' if bad == 1 else 's'} read as cp1252)")


def decode(data: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and the encoding used. Raises NotText (and LookupError for an unknown encoding)."""
    if encoding:
        codecs.lookup(encoding)  # LookupError names it
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise NotText(f"not valid {encoding} (byte {exc.start}: {exc.reason})") from None
        checked = _checked(text, encoding)
        _misread(data, text, encoding)
        return checked
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(name), name + " with BOM")
            except UnicodeDecodeError as exc:
                raise NotText(f"starts with a {name} byte-order mark but is not {name} (byte {exc.start})") from None
    if b"\x00" in data:
        name = nul_layout(data)
        if name is None:
            raise NotText(f"binary data (NUL byte at offset {data.index(0)})")
        try:
            return _checked(data.decode(name), name)
        except UnicodeDecodeError:
            raise NotText(f"binary data (NUL bytes, not valid {name})") from None
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    mended = _mostly_utf8(data)
    if mended is not None:
        return mended
    if len(data) >= MIN_DETECT_BYTES:
        best = from_bytes(data).best()
        if best is not None:
            text = str(best)
            if _non_latin_script(text):
                return _checked(text, best.encoding)
    mended = _mostly_utf8(data, MIN_MIXED_UTF8_SHARE)
    if mended is not None:
        return mended
    try:
        return _checked(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return _checked(data.decode("latin-1"), "latin-1")
