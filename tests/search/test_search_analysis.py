"""Vietnamese analysis: normalisation, tone placement, folding, tokens, synonym groups, query parsing."""

from __future__ import annotations

import random
import unicodedata

import pytest

from search.analysis import (
    HighlightTerms,
    expand_query,
    fold,
    has_marks,
    index_tokens,
    merge_spans,
    normalize,
    parse_query,
    syllables,
    synonym_matches,
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ", "HÒA"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("hoạ", "họa"),
        ("loè", "lòe"),
        ("tuỳ", "tùy"),
        ("uỷ ban", "ủy ban"),
    ],
)
def test_old_tone_placement_becomes_canonical(old: str, new: str) -> None:
    assert normalize(old) == new
    assert normalize(new) == new


@pytest.mark.parametrize(
    "word",
    # Closed syllables, modified vowels, qu/gi initials and triphthongs keep their place.
    ["hoàn", "toán", "huỳnh", "quý", "quả", "quyết", "già", "giữ", "giường", "gì", "gìn", "người", "ngoài",
     "khuỷu", "của", "mùa", "tuổi", "thuở", "nghĩa", "xoáy", "oải", "hoạch", "thuế", "yến"],
)
def test_canonical_words_are_unchanged(word: str) -> None:
    assert normalize(word) == word


@pytest.mark.parametrize(("typed", "canonical"), [("qúy", "quý"), ("gìa", "già"), ("hoàng", "hoàng"), ("hòang", "hoàng")])
def test_misplaced_marks_are_repaired(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_loan_words_with_marks_are_left_alone() -> None:
    assert normalize("café résumé") == "café résumé"


def test_nfd_input_is_composed() -> None:
    nfd = unicodedata.normalize("NFD", "Nhà văn hoá")
    assert nfd != "Nhà văn hoá"
    assert normalize(nfd) == "Nhà văn hóa"


def test_fold_removes_marks_and_d_stroke() -> None:
    assert fold("Đường bích họa, Ủy ban") == "Duong bich hoa, Uy ban"
    assert fold("đi chợ hộ") == "di cho ho"
    # Icelandic eth is a common look-alike of Đ in pasted text.
    assert fold("Ðà Nẵng") == "Da Nang"
    assert fold(unicodedata.normalize("NFD", "Cây ATM gạo")) == "Cay ATM gao"


def test_has_marks() -> None:
    assert has_marks("cá")
    assert has_marks("đi")
    assert not has_marks("ca")


def test_syllables_offsets_and_forms() -> None:
    text = "Cây ATM gạo, Covid-19!"
    toks = syllables(text)
    assert [t.text for t in toks] == ["cây", "atm", "gạo", "covid", "19"]
    assert [t.folded for t in toks] == ["cay", "atm", "gao", "covid", "19"]
    assert [text[t.start : t.end] for t in toks] == ["Cây", "ATM", "gạo", "Covid", "19"]
    assert [t.pos for t in toks] == [0, 1, 2, 3, 4]
    assert toks[1].upper and not toks[0].upper


def test_abbreviations_match_both_ways() -> None:
    keys = lambda s: {m.key for m in synonym_matches(syllables(s))}  # noqa: E731
    assert "ubnd" in keys("UBND xã")
    assert "ubnd" in keys("Ủy ban nhân dân xã")
    assert "ubnd" in keys("Uỷ ban nhân dân")  # old tone placement
    assert "ubnd" in keys("uy ban nhan dan")  # typed without marks
    assert "hdnd" in keys("HĐND huyện")
    assert "hdnd" in keys("hdnd")
    assert "gddt" in keys("Phòng GD-ĐT") and "gddt" in keys("Giáo dục và Đào tạo") and "gddt" in keys("GD&ĐT")
    assert "ldtbxh" in keys("Lao động - Thương binh và Xã hội") and "ldtbxh" in keys("lao dong thuong binh xa hoi")
    assert "pccc" in keys("phòng cháy, chữa cháy")


def test_abbreviation_that_is_a_syllable_needs_capitals() -> None:
    keys = lambda s: {m.key for m in synonym_matches(syllables(s))}  # noqa: E731
    assert "ca_" in keys("CA xã")
    assert "ca_" not in keys("bán ca cá")
    assert "ca_" in keys("Công an xã")


def test_marked_tokens_do_not_match_other_marks() -> None:
    keys = lambda s: {m.key for m in synonym_matches(syllables(s))}  # noqa: E731
    assert "oto" in keys("ô tô") and "oto" in keys("ôtô") and "oto" in keys("o to")
    assert "oto" not in keys("ở tổ")


@pytest.mark.parametrize(
    ("key", "forms"),
    [
        ("oto", ["ô tô", "ôtô", "Ô-tô"]),
        ("email", ["email", "e-mail", "E-Mail"]),
        ("wifi", ["Wi-Fi", "wifi", "WIFI"]),
        ("covid", ["Covid-19", "covid", "COVID19", "covid 19"]),
        ("startup", ["start-up", "startup"]),
        ("cano", ["ca-nô", "ca nô", "canô"]),
        ("xebuyt", ["xe buýt", "xe bus"]),
        ("karaoke", ["karaoke", "ka-ra-ô-kê"]),
    ],
)
def test_variants(key: str, forms: list[str]) -> None:
    for form in forms:
        assert key in {m.key for m in synonym_matches(syllables(form))}, form


def test_abbreviation_table_is_thorough() -> None:
    from search.analysis import synonyms

    table = synonyms()
    abbreviation_keys = [k for k in table.expansions if any(f.isupper() for f in table.expansions[k])]
    assert len(abbreviation_keys) >= 80


def test_index_tokens_stack_group_keys() -> None:
    toks = index_tokens("Ủy ban nhân dân xã")
    keyed = [t for t in toks if t[0] == "ubnd"]
    # On the first and the last syllable, so "UBND xã" and "Chủ tịch UBND" both stay adjacent.
    assert [t[2] for t in keyed] == [0, 3]
    assert [t[0] for t in toks if t[0] != "ubnd"] == ["ủy", "ban", "nhân", "dân", "xã"]
    assert [t[1] for t in toks if t[0] != "ubnd"] == ["uy", "ban", "nhan", "dan", "xa"]


def test_parse_query_clauses() -> None:
    p = parse_query('nha văn hóa "tổ dân phố" UBND')
    assert [c.kind for c in p.clauses] == ["group", "phrase", "group"]
    assert p.clauses[1].keys == ("tdp",)
    assert p.text == 'nha văn hóa "tổ dân phố" ubnd'
    assert [t.marked for t in p.clauses[0].tokens] == [False, True, True]


def test_parse_query_tone_and_unicode() -> None:
    assert parse_query("HOÀ GIẢI").text == "hòa giải"
    assert parse_query(unicodedata.normalize("NFD", "hoà giải")).text == "hòa giải"


@pytest.mark.parametrize(
    "q",
    ['"', '""', '"abc', 'abc"', "((", ")", "AND", "OR NOT", "a AND b", "*", "?", "~", ":", "^", "title:xyz",
     "nhà^2", "cá~", "[a TO b]", "{}", "\\", "'", "\x00", "  ", "—", "🙂", "a" * 5000, "\ud800"],
)
def test_parse_query_never_raises(q: str) -> None:
    parse_query(q)
    expand_query(q)


def test_parse_query_random_punctuation() -> None:
    rng = random.Random(7)
    alphabet = '"()[]{}*?~:^!&|+-/\\\'.,;<>=@#%$ ANDORNOTcáđ\u0301\u0323\n\t'
    for _ in range(2000):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        parsed = parse_query(q)
        assert all(t.text for t in parsed.tokens)


def test_operator_words_are_dropped() -> None:
    assert parse_query("cá AND cà").text == "cá cà"
    assert parse_query("and").text == "and"  # lower case is an ordinary word


def test_highlight_spans_folded_and_groups() -> None:
    terms = HighlightTerms.from_query(parse_query("ubnd nha van hoa"))
    text = "Ủy ban nhân dân xã sửa nhà văn hóa"
    spans = terms.for_texts([text]).spans(text)
    assert [text[s:e] for s, e in spans] == ["Ủy ban nhân dân", "nhà văn hóa"]


def test_highlight_prefers_exact_marks_in_document() -> None:
    terms = HighlightTerms.from_query(parse_query("cá"))
    text = "Bà bán cá và cà"
    spans = terms.for_texts([text]).spans(text)
    assert [text[s:e] for s, e in spans] == ["cá"]
    text2 = "Ông bán cà"
    spans2 = terms.for_texts([text2]).spans(text2)
    assert [text2[s:e] for s, e in spans2] == ["cà"]


def _spans_from_every_syllable(terms: HighlightTerms, texts: list[str], text: str) -> list[tuple[int, int]]:
    """Highlighting as it reads when each text is cut into all of its syllables: what the quick path must give."""
    present = {t.text for doc in texts for t in syllables(doc)}
    exact = {typed for typed, _ in terms.pairs if typed in present}
    folded = {f for typed, f in terms.pairs if typed not in present}
    return merge_spans((t.start, t.end) for t in syllables(text) if t.text in exact or t.folded in folded)


HIGHLIGHT_TEXTS = [
    "Đoàn Thanh niên phường Phúc Đồng sửa Nhà văn hoá tổ 5; nhà VĂN HÓA mới, hòa bình, HOÀ BÌNH.",
    "Cây ATM gạo của bà Hoà ở Đà Nẵng: cafe, café, CAFÉ; ĐÀ NẴNG; đà nẵng",
    "Ông x\u0301y İstanbul ﬁle ß đoan_trang đoàn2024 phúc-đồng Ðoàn ðoàn",
    unicodedata.normalize("NFD", "Nhà văn hóa khu dân cư số 3 được hỗ trợ"),
    "",
]


@pytest.mark.parametrize("q", ["nha van hoa", "nhà văn hóa", "hoà", "hòa binh", "doan", "đoàn", "da nang",
                               "cafe", "café", "ATM gạo", "phuc dong", "istanbul", "file", "y", "2024"])
def test_highlight_finds_the_same_syllables_as_cutting_every_one(q: str) -> None:
    terms = HighlightTerms.from_query(parse_query(q))
    if terms.keys:
        pytest.skip("synonym groups always cut every syllable")
    rng = random.Random(q)
    for _ in range(20):
        texts = rng.sample(HIGHLIGHT_TEXTS, rng.randint(1, 3))
        doc_terms = terms.for_texts(texts)
        for text in texts:
            assert doc_terms.spans(text) == _spans_from_every_syllable(terms, texts, text), (q, text)
