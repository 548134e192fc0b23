"""Templates compiled once per test run: every app a test makes would otherwise compile them again.

Each test makes an app of its own, and a new app's Jinja environment compiles every template it renders
(about half a second for a page and its layout). This cache keeps the compiled code in memory for the whole run,
keyed by the template's file, a checksum of its source (Jinja's own) and the environment's syntax settings, so
an edited template or an environment set up differently compiles again. Only the tests' apps use it: the app's
own configuration is untouched, and servers started in subprocesses compile as in production.
"""
from __future__ import annotations

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache


def _environment_key(environment) -> tuple:
    """What changes the code a template compiles to, besides its source."""
    return (
        environment.block_start_string, environment.block_end_string, environment.variable_start_string,
        environment.variable_end_string, environment.comment_start_string, environment.comment_end_string,
        environment.line_statement_prefix, environment.line_comment_prefix, environment.trim_blocks,
        environment.lstrip_blocks, environment.newline_sequence, environment.keep_trailing_newline,
        tuple(sorted(environment.extensions)), environment.optimized, environment.is_async,
        getattr(environment, "newstyle_gettext", None),
    )


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates in a dict for the life of the process."""

    def __init__(self) -> None:
        self._store: dict[tuple, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get((bucket.key, _environment_key(bucket.environment)))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[(bucket.key, _environment_key(bucket.environment))] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._store.clear()


CACHE = MemoryBytecodeCache()


def install() -> None:
    """Give every Flask app made in this process from now on the shared cache (Flask copies ``jinja_options``)."""
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": CACHE}
