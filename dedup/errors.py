"""Every error dedup raises on purpose derives from DedupError.

The CLI turns DedupError (and only it) into a one-line ``Error: ...`` and exit
code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class DedupError(Exception):
    """Base class of dedup's deliberate errors. The message names the bad value and the fix."""


class InputError(DedupError):
    """An input file, record or stream cannot be used."""


class ParamsError(DedupError):
    """Parameters are out of range or inconsistent."""


class StoreError(DedupError):
    """The index store failed or refused an operation."""


class IndexMissingError(StoreError):
    """No index at the given place, and it was opened without creating one."""


class IndexMismatchError(StoreError):
    """An index was opened with parameters other than the ones it was built with."""


class IndexCorruptError(StoreError):
    """An index file or database is damaged or of an unknown schema."""
