"""Inert parameter records. Defaults are calibrated where their module says so."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .errors import ParamsError

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class FingerprintParams:
    """How signatures are built. Stored with every index; an index refuses other values."""

    shingle_size: int = 5  # words per verbatim shingle
    content_shingle_size: int = 2  # content-word stems per paraphrase shingle (ordered)
    num_perm: int = 128  # MinHash permutations per view
    seed: int = 1
    bands: int = 32  # LSH bands for the verbatim view (rows = num_perm // bands)
    content_bands: int = 42  # LSH bands for the paraphrase view (lower threshold)
    mod_sample: int = 8  # 1-in-N shingle sample for containment (Broder's MOD-m sketch)
    normalizer_version: int = 4  # normalize.NORMALIZER_VERSION: tokens and word hashes

    def __post_init__(self) -> None:
        if not 1 <= self.shingle_size <= 16:
            raise ParamsError(f"shingle_size {self.shingle_size} is out of range; use 1..16")
        if not 1 <= self.content_shingle_size <= 8:
            raise ParamsError(f"content_shingle_size {self.content_shingle_size} is out of range; use 1..8")
        if self.num_perm < 16 or self.num_perm > 1024:
            raise ParamsError(f"num_perm {self.num_perm} is out of range; use 16..1024")
        for name in ("bands", "content_bands"):
            b = getattr(self, name)
            if b < 1 or b > self.num_perm:
                raise ParamsError(f"{name} {b} must be between 1 and num_perm ({self.num_perm})")
        if self.mod_sample < 1:
            raise ParamsError(f"mod_sample {self.mod_sample} must be >= 1")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> FingerprintParams:
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ParamsError(f"unknown fingerprint parameter(s) {sorted(unknown)}; known: {sorted(names)}")
        return cls(**d)
