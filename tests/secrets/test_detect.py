"""The detector's keyword prefilter."""

from __future__ import annotations


def test_keyword_prefilter_finds_exactly_the_keywords_a_text_holds() -> None:
    """One Aho-Corasick pass must give what a substring search per keyword gives: nested and
    overlapping keywords, non-ASCII bytes, keywords at the very start and end."""
    import random

    from hullguard.secrets.detect import Keywords
    from hullguard.secrets.rules import load_builtin

    rng = random.Random(7)
    builtin = sorted({k for rule in load_builtin().rules for k in rule.keywords})
    odd = [b"ab", b"abc", b"bca", b"caf\xc3\xa9", b"\xff\xfe", b"zz"]
    keywords = Keywords([*builtin, *odd])
    alphabet = b"abcz\xc3\xa9\xff\xfe_-: \n" + bytes(range(97, 123))
    for _ in range(400):
        text = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 300)))
        text += rng.choice([*builtin, *odd]) if rng.random() < 0.7 else b""
        text = (rng.choice(builtin) if rng.random() < 0.3 else b"") + text
        lowered = text.lower()
        assert keywords.present(lowered) == {k for k in [*builtin, *odd] if k in lowered}
    assert Keywords([]).present(b"anything") == set()
