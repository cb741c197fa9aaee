"""Licence strings to SPDX: what must be recognized, and what must stay as written."""

from __future__ import annotations

import pytest

from hullguard.analyzers.apk import apk_licences
from hullguard.analyzers.dpkg_copyright import parse_copyright
from hullguard.analyzers.licenses import normalize, to_spdx
from hullguard.model import spdx

RECOGNIZED = [
    ("MIT", "MIT"),
    ("mit", "MIT"),
    ("GPL2", "GPL-2.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("GPL-2+", "GPL-2.0-or-later"),
    ("GPL-2.0+", "GPL-2.0-or-later"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("Expat", "MIT"),
    ("zlib", "Zlib"),
    ("BSD-3-clause", "BSD-3-Clause"),
    ("MIT and ASL 2.0", "MIT AND Apache-2.0"),
    ("GPL-2+ or Artistic-2.0", "GPL-2.0-or-later OR Artistic-2.0"),
    ("( Apache-2.0 OR MIT ) AND MPL-2.0", "(Apache-2.0 OR MIT) AND MPL-2.0"),
    ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
    ("GPL-3+ with Bison exception", "GPL-3.0-or-later WITH Bison-exception-2.2"),  # DEP-5 spelling
    ("GPL-2 with Linux-syscall-note exception", "GPL-2.0-only WITH Linux-syscall-note"),
    ("GPL-2+ or Artistic-2", "GPL-2.0-or-later OR Artistic-2.0"),
]
AS_WRITTEN = [
    "GPL",
    "BSD",
    "LGPL",
    "Artistic",
    "public-domain",
    "GPLv2+ and BSD",
    "GPL-3+ with Autoconf-data exception",  # no single SPDX exception says which
    "MIT, BSD; see x",
    "",
    "Ünïcode",
]


@pytest.mark.parametrize(("text", "spdx"), RECOGNIZED)
def test_recognized(text: str, spdx: str) -> None:
    assert to_spdx(text) == spdx


@pytest.mark.parametrize("text", AS_WRITTEN)
def test_ambiguous_or_unknown_stay_as_written(text: str) -> None:
    assert to_spdx(text) is None
    assert normalize(text) == text.strip()


def test_apk_list_and_expression() -> None:
    assert apk_licences("MIT BSD GPL2+") == ("MIT", "BSD", "GPL-2.0-or-later")
    assert apk_licences("MIT AND BSD-2-Clause") == ("MIT AND BSD-2-Clause",)
    assert apk_licences("GPL2 GPL2") == ("GPL-2.0-only",)
    assert apk_licences("  ") == ()


def test_copyright_without_format_or_references_gives_nothing() -> None:
    assert parse_copyright("Copyright 2001 somebody. All rights reserved.\n") == ()
    dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: other\n"
    assert parse_copyright(dep5) == ()


def test_only_spdx_list_ids_count_as_spdx_in_reports() -> None:
    """ScanCode's aliases (`GPL`) are not SPDX ids: a report must not turn Debian's bare `GPL`
    into GPL-1.0-or-later. Deprecated SPDX ids keep their listed spelling as ids, and become
    their successors inside expressions."""
    from hullguard.model import spdx
    from hullguard.report.licenses import spdx_expression
    from tests.report.cyclonedx_library import licenses

    assert spdx.licence_id("GPL") is None and spdx_expression(("GPL",)) is None
    assert spdx.licence_id("lgpl-2.1") == "LGPL-2.1" and spdx.licence_id("LLVM-exception") is None
    assert spdx.expression("GPL-2.0+ with classpath-exception-2.0") == "GPL-2.0-or-later WITH Classpath-exception-2.0"
    assert spdx.expression("LLVM-exception") is None and spdx.expression("MIT WITH Apache-2.0") is None
    assert [lic.name for lic in licenses(("GPL", "MIT"))] == ["GPL", None]  # type: ignore[union-attr]


def test_the_shipped_spdx_ids_are_what_the_installed_libraries_give() -> None:
    """data/spdx-ids.csv is derived from cyclonedx-python-lib's SPDX list and license_expression's
    index; when either library changes, regenerate it: `python -m hullguard.model.spdx`."""
    from importlib import resources

    from hullguard.model import spdx

    shipped = resources.files("hullguard").joinpath("data/spdx-ids.csv").read_text(encoding="utf-8")
    assert shipped == spdx.derive_ids(), "run: python -m hullguard.model.spdx > src/hullguard/data/spdx-ids.csv"


@pytest.mark.parametrize(
    "text",
    ["MIT AND (", "( AND", "MIT OR (GPL-2.0 AND", "BSD-3-Clause MIT OR Zlib", "MIT WITH WITH", ")("],
)
def test_malformed_expressions_are_not_expressions_and_raise_nothing(text: str) -> None:
    """license_expression raises IndexError or AssertionError on some of these: a package's
    declared licence is scanned content, so none may end a scan."""
    assert spdx.expression(text) is None


def test_flat_or_and_and_need_no_parser() -> None:
    assert spdx.expression("mit or GPL-2.0+") == "MIT OR GPL-2.0-or-later"
    assert spdx.expression("Apache-2.0 and bsd-3-clause") == "Apache-2.0 AND BSD-3-Clause"
    assert spdx.expression("MIT OR Artistic") is None  # Artistic is not an SPDX id
