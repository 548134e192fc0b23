"""Command-line helpers: run doctor and read its lines."""
from __future__ import annotations


def doctor(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # the command speaks the default language
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = {line.split("]", 1)[1].split(":", 1)[0].strip(): line for line in result.output.splitlines()
             if line.startswith("[")}
    return result, lines
