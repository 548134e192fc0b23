"""Vietnamese-aware URL slugs ("Tuyến đường bích họa" -> "tuyen-duong-bich-hoa")."""
from __future__ import annotations

from slugify import slugify as _slugify


def make_slug(text: str, *, max_length: int = 80) -> str:
    """Return an ASCII slug for ``text``; đ becomes d; never empty."""
    slug = _slugify(text or "", max_length=max_length, word_boundary=True, lowercase=True)
    return slug or "-"
