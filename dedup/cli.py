"""Command line: parse options, make one library call, render.

Only DedupError becomes ``Error: ...`` with exit code 1; anything else is a bug.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from .errors import DedupError


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DedupError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find copies of the same news wire story, how each copy relates to the
    original, and what changed in the facts."""


# --- commands are added below, one block per command ---
