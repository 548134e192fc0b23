"""Vietnamese alphabetical order is CLDR's: the letters in the order of CLDR's Vietnamese alphabet, tones after
their base letter (a à ả ã á ạ), and a word's letters deciding before its tones."""
from __future__ import annotations

import random
import unicodedata

import pytest

from registry.platform.collation import collation_key, sort_key, sorted_by_name

# CLDR's Vietnamese exemplar characters (common/main/vi.xml), listed in the language's alphabetical order.
CLDR_VI_ALPHABET = (
    "a à ả ã á ạ ă ằ ẳ ẵ ắ ặ â ầ ẩ ẫ ấ ậ b c d đ e è ẻ ẽ é ẹ ê ề ể ễ ế ệ f g h i ì ỉ ĩ í ị j k l m n "
    "o ò ỏ õ ó ọ ô ồ ổ ỗ ố ộ ơ ờ ở ỡ ớ ợ p q r s t u ù ủ ũ ú ụ ư ừ ử ữ ứ ự v w x y ỳ ỷ ỹ ý ỵ z"
).split()


def test_the_alphabet_sorts_as_cldr_lists_it():
    shuffled = CLDR_VI_ALPHABET[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == CLDR_VI_ALPHABET
    assert sorted(shuffled, key=collation_key) == CLDR_VI_ALPHABET


@pytest.mark.parametrize("before, after", [
    ("an", "ăn"), ("ăn", "ân"), ("Dương", "Đường"), ("Đường", "em"), ("ông", "ơn"), ("uống", "ươm"),
    ("bà", "bac"),    # letters decide first: a tone never outweighs a following letter
    ("bác", "bạc"),   # then tones, in CLDR's order: none, grave, hook above, tilde, acute, dot below
    ("Hoa", "Hòa"), ("ma", "mả"), ("mả", "mã"), ("mã", "má"), ("má", "mạ"),
    ("Nguyễn Văn An", "Nguyễn Văn Ánh"), ("Ương", "Zalo"),
])
def test_pairs_in_cldr_order(before, after):
    assert sort_key(before) < sort_key(after)


def test_case_and_unicode_form_do_not_change_the_letters_order():
    assert sort_key(unicodedata.normalize("NFD", "Đường hoà")) == sort_key("Đường hoà")
    assert sorted(["Ba", "an", "Ăn"], key=sort_key) == ["an", "Ăn", "Ba"]


def test_sorted_by_name_sorts_things_by_their_name():
    things = [{"name": n} for n in ["Đoàn", "Chi hội", "Ấp Bắc", "An Phú"]]
    assert [t["name"] for t in sorted_by_name(things, lambda t: t["name"])] == ["An Phú", "Ấp Bắc", "Chi hội", "Đoàn"]


def test_stored_keys_fit_their_column_and_keep_the_order():
    long_a, long_b = "Nguyễn " * 80 + "a", "Nguyễn " * 80 + "b"
    assert len(sort_key(long_a)) <= 320
    assert sort_key("Đ" * 500) > sort_key("D" * 500)
    assert sort_key(long_a) <= sort_key(long_b)
