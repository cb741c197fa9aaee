"""Module streams: which AlmaLinux/Rocky records can concern an rpm, by the fix's release
(`.module_el9...`, RHEL 8's `.module+el8...`) and the stream the summary names."""

from __future__ import annotations

from hullguard.matchers.modularity import applies, module_stream
from hullguard.vulndb.osv import Affected, Event, Range


def _fixed(*versions: str) -> Affected:
    ranges = tuple(
        Range(
            type="ECOSYSTEM", events=(Event(kind="introduced", version="0"), Event(kind="fixed", version=v))
        )
        for v in versions
    )
    return Affected(ecosystem="AlmaLinux:9", package="nodejs", ranges=ranges)


PLAIN = _fixed("1:16.20.2-8.el9_4")
STREAM_18 = _fixed("1:18.20.2-2.module_el9.4.0+99+a01f7676")
RHEL8_STREAM = _fixed("1:18.14.2-2.module+el8.8.0+18521+c3d6e5d3")
LABEL_18 = "nodejs:18:9040020240409:rhel9"
LABEL_20 = "nodejs:20:9040020240409:rhel9"


def test_module_stream_from_the_label() -> None:
    assert module_stream(LABEL_18) == "nodejs:18"
    assert module_stream("perl:5.32:8040020200923213406:9fe1d287") == "perl:5.32"
    assert module_stream(None) is None
    assert module_stream("") is None
    assert module_stream("nodejs") is None


def test_modular_and_plain_records_do_not_cross() -> None:
    assert applies(PLAIN, "Important: nodejs security update", None)
    assert not applies(STREAM_18, "Important: nodejs:18 security update", None)
    assert not applies(RHEL8_STREAM, "Important: nodejs:18 security update", None)
    assert not applies(PLAIN, "Important: nodejs security update", LABEL_18)
    assert applies(STREAM_18, "Important: nodejs:18 security update", LABEL_18)
    assert applies(RHEL8_STREAM, "Important: nodejs:18 security update", "nodejs:18:8080020230:rhel8")


def test_the_named_stream_must_be_the_packages() -> None:
    assert not applies(STREAM_18, "Important: nodejs:18 security update", LABEL_20)
    assert applies(STREAM_18, "Important: nodejs:18 and nodejs:20 security update", LABEL_20)
    # A summary naming no stream of the package's module says nothing against it.
    assert applies(STREAM_18, "Important: container-tools:4.0 security update", LABEL_20)
    assert applies(STREAM_18, "Moderate: nodejs security update", LABEL_20)
    # Nor does a record without a fix to tell modular builds by.
    only_introduced = Affected(
        ecosystem="AlmaLinux:9",
        package="nodejs",
        ranges=(Range(type="ECOSYSTEM", events=(Event(kind="introduced", version="0"),)),),
    )
    assert applies(only_introduced, "x", None) and applies(only_introduced, "x", LABEL_18)
