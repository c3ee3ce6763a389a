"""dedup: find copies of the same news wire story, how they relate, and what changed."""

__version__ = "0.1.0"
