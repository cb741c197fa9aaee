"""Generic rules leave alone values a provider rule knows by its prefix (secrets/known.py)."""

from __future__ import annotations

from hullguard.secrets.detect import Detector
from hullguard.secrets.known import closings, known, openings
from hullguard.secrets.rules import load_builtin, parse_rules


def test_openings_read_each_alternative_of_the_secret_group() -> None:
    assert openings(rb"(?<![\w\-])(?P<secret>(?:pat|sat)\.[a-z]{4})") == [("pat.", False), ("sat.", False)]
    assert openings(rb"(?P<secret>(?i:abcd)_[a-z]{4})") == [("abcd_", True)]
    assert openings(rb"(?P<secret>[a-z]{4})") == [("", False)]
    assert openings(rb"key=[a-z]{4}") == []
    assert openings(rb"(?P<secret>cf[ua]t_[a-z]{4})") == [("cfut_", False), ("cfat_", False)]


def test_closings_read_each_alternative_backwards() -> None:
    assert closings(rb"(?P<secret>(?:[a-z]{4}-NRMA|[a-z]{3}NRAL))") == [("-NRMA", False), ("NRAL", False)]
    assert closings(rb"(?P<secret>[a-z]{4})") == [("", False)]


def test_builtin_prefixes_are_signatures_not_words() -> None:
    k = known(load_builtin().rules)
    assert k.claims("glpat-short") and k.claims("xoxb-123")
    assert not k.claims("https://example.org") and not k.claims("test_value") and not k.claims("sk_test_x")


def test_generic_rules_and_file_rules_teach_nothing() -> None:
    rules = parse_rules(
        """
rules:
  - {id: p, title: P, keywords: [zzq_], regex: '(?P<secret>zzq_[a-z]{8})'}
  - {id: g, title: G, keywords: [token], defer: true, regex: 'token=(?P<secret>qqz_[a-z]{2,8})'}
""",
        "x.yaml",
    )
    k = known(rules.rules)
    assert k.claims("zzq_abc") and not k.claims("qqz_abc")


def test_a_jwt_needs_json_claims_and_is_not_the_jwt_io_example() -> None:
    import base64
    import json

    from hullguard.secrets.detect import VALIDATE

    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    header, sig = part({"alg": "HS256", "typ": "JWT"}), "x" * 43
    assert VALIDATE["jwt"](f"{header}.{part({'sub': '42', 'iat': 1})}.{sig}")
    assert not VALIDATE["jwt"](f"{header}.{part({'sub': '1234567890', 'name': 'John Doe'})}.{sig}")
    assert not VALIDATE["jwt"](f"{header}.eyJ5nzGXjcjJ2CaJVf8LF1cNVd07A4XS.{sig}")


def test_a_rule_owning_its_name_silences_the_generic_rules_but_not_for_passwords() -> None:
    rules = parse_rules(
        """
rules:
  - {id: p, title: P, keywords: [zzqco], owns_names: [zzqco], regex: 'zzqco_token=(?P<secret>[a-f0-9]{40})'}
  - id: g
    title: G
    keywords: [token, password]
    defer: true
    regex: '(?P<key>[A-Za-z_]{0,20}(?:(?P<pw>PASSWORD)|TOKEN))=(?P<secret>[A-Za-z0-9]{8,64})'
""",
        "x.yaml",
    )
    detector = Detector(rules)

    def hits(text: str) -> list[str]:
        return [h.rule.id for h in detector.scan(text.encode(), "x.env")]

    assert hits("zzqco_token=" + "ab12" * 10) == ["p"]
    assert hits("ZZQCO_TOKEN=Ab3dE6gH9jK2mN5p") == []  # the provider's name, not its shape
    assert hits("ZZQCO_PASSWORD=Ab3dE6gH9jK2mN5p") == ["g"]
    assert hits("OTHER_TOKEN=Ab3dE6gH9jK2mN5p") == ["g"]
