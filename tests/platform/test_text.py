"""Slugs, Vietnamese sort order (more in test_collation.py) and Markdown sanitising."""
import pytest

from registry.entries.richtext import markdown_to_text, render_markdown
from registry.platform.collation import sort_key
from registry.platform.slugs import make_slug


@pytest.mark.parametrize("text, slug", [
    ("Tuyến đường bích họa", "tuyen-duong-bich-hoa"),
    ("Đi chợ hộ", "di-cho-ho"),
    ("ĐOÀN THANH NIÊN phường Ngọc Lâm", "doan-thanh-nien-phuong-ngoc-lam"),
    ("Cây ATM gạo — 2020!", "cay-atm-gao-2020"),
    ("Tuổi cao gương sáng", "tuoi-cao-guong-sang"),
    ("Thủy / thuỷ", "thuy-thuy"),
    ("", "-"),
    ("???", "-"),
])
def test_vietnamese_slugs(text, slug):
    assert make_slug(text) == slug


def test_vietnamese_alphabetical_order():
    words = ["Đường", "Dương", "ăn", "ao", "an", "Ân", "ba", "Zalo", "ươm", "uống", "Ơn", "Ông", "Ôm", "Hòa", "Hoa"]
    assert sorted(words, key=sort_key) == [
        "an", "ao", "ăn", "Ân", "ba", "Dương", "Đường", "Hoa", "Hòa", "Ôm", "Ông", "Ơn", "uống", "ươm", "Zalo"]
    # Decomposed input sorts like composed input.
    import unicodedata
    assert sort_key(unicodedata.normalize("NFD", "Đường hoà")) == sort_key("Đường hoà")


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("[x](javascript:alert(1))", 'href="javascript'),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("<iframe src=//evil></iframe>", "<iframe"),
    ('[a](https://ok.vn "t")', "onclick"),
])
def test_markdown_is_sanitized(source, forbidden):
    assert forbidden not in str(render_markdown(source))


def test_markdown_renders_and_links_are_safe():
    html = str(render_markdown("# Tiêu đề\n\n**Đậm** và [liên kết](https://example.vn)"))
    assert "<h2>Tiêu đề</h2>" in html and "<strong>Đậm</strong>" in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert markdown_to_text("**Cây** _ATM_ gạo\n\n- một\n- hai") == "Cây ATM gạo một hai"
