"""The package build compiles the message catalogs and ships the templates and static files, so the
app speaks Vietnamese however it is installed (a wheel, `pip install .`, `pip install -e .`).

Everything else about the package is in pyproject.toml.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "registry" / "translations"
# The templates and static files live beside the package in a checkout; a built package carries them inside.
SITE_FOLDERS = ("templates", "static")


def compile_catalogs() -> None:
    """Compile every registry/translations/<lang>/LC_MESSAGES/messages.po into the .mo beside it."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with open(po.with_suffix(".mo"), "wb") as fh:
            write_mo(fh, catalog)


class BuildWithCatalogs(build_py):
    """build_py that compiles the catalogs first and, for a real (not editable) build, copies the site folders."""

    def run(self) -> None:
        compile_catalogs()
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads templates and static files from the checkout
        for name in SITE_FOLDERS:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, Path(self.build_lib) / "registry" / "site" / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithCatalogs})
