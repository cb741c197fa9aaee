"""Installed Python distributions: dist-info, egg-info folders and egg-info files."""

from __future__ import annotations

from hullguard.analyzers.python import PythonAnalyzer, licenses
from hullguard.model import PackageType
from tests.analyzers.lang import FIXTURES, nv, scan

CASES = FIXTURES / "python"


def test_site_packages_names_versions_licences_and_paths() -> None:
    packages, issues = scan(PythonAnalyzer(), CASES / "site")
    assert not issues
    assert nv(packages) == {
        ("requests", "2.25.0"),
        ("urllib3", "2.3.0"),
        ("MarkupSafe", "2.1.2"),
        ("attrs", "25.3.0"),
        ("six", "1.16.0"),
    }
    by_name = {p.name: p for p in packages}
    assert all(p.type is PackageType.PYPI for p in packages)
    assert by_name["attrs"].licenses == ("MIT",)  # License-Expression
    assert by_name["MarkupSafe"].licenses == ("BSD-3-Clause",)  # License: an SPDX id
    assert by_name["requests"].licenses == ("Apache-2.0",)  # "Apache 2.0" is not; the classifier is
    assert by_name["urllib3"].licenses == ("MIT",)  # classifier only
    assert by_name["requests"].dependencies == ("chardet", "idna", "urllib3", "certifi")
    assert by_name["MarkupSafe"].purl == "pkg:pypi/markupsafe@2.1.2"
    assert by_name["six"].path == "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"


def test_egg_info_written_as_a_single_file() -> None:
    packages, _ = scan(PythonAnalyzer(), CASES / "egg-file")
    assert [(p.name, p.version, p.path) for p in packages] == [
        ("six", "1.16.0", "usr/lib/python2.7/dist-packages/six-1.16.0.egg-info")
    ]


def test_metadata_without_version_is_an_issue_not_a_crash() -> None:
    packages, issues = scan(PythonAnalyzer(), CASES / "broken")
    assert packages == ()
    assert len(issues) == 1 and "without Name or Version" in issues[0].message
    assert issues[0].path and issues[0].path.endswith("broken-1.0.dist-info/METADATA")


def test_licence_order_of_preference() -> None:
    assert licenses("Apache-2.0 OR MIT", "BSD", ["License :: OSI Approved :: ISC License (ISCL)"]) == (
        "Apache-2.0 OR MIT",
    )
    long_text = "Copyright (c) 2010\n\nPermission is hereby granted..."
    assert licenses(None, long_text, ["License :: OSI Approved :: ISC License (ISCL)"]) == ("ISC",)
    assert licenses(None, "UNKNOWN", ["License :: Other/Proprietary License"]) == (
        "Other/Proprietary License",
    )
    assert licenses(None, None, ["License :: OSI Approved"]) == ()
    assert licenses(None, "BSD", ["License :: OSI Approved :: BSD License"]) == ("BSD",)
    assert licenses(None, "Apache License, Version 2.0", []) == ("Apache License, Version 2.0",)


def test_core_metadata_reads_headers_as_the_email_package_does() -> None:
    """Every METADATA / PKG-INFO of this environment (hundreds of real files), plus the
    odd cases: the hand-written reader and `email`'s compat32 HeaderParser agree."""
    import site
    import sys
    from email.parser import HeaderParser
    from email.policy import compat32
    from pathlib import Path

    from hullguard.analyzers.python import CoreMetadata

    roots = [Path(p) for p in (*site.getsitepackages(), *sys.path) if p and Path(p).is_dir()]
    files = {f for root in roots for pattern in ("*.dist-info/METADATA", "*.egg-info/PKG-INFO") for f in root.glob(pattern)}
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in sorted(files)]
    assert len(texts) >= 20, "too few installed distributions to compare against"
    texts += [
        "Name: a\r\nVersion: 1\r\nLicense: MIT\r\n  and more\r\n\r\nBody: not a header\n",
        "Name: a\nVersion: 1\nnot a header line\nClassifier: x\n",
        "Name:a\nVersion:\t2\nDescription: one\n\ttwo\x0cthree\n        four\n\nbody",
        "Name: a\rVersion: 1\rRequires-Dist: b\rRequires-Dist: c; extra == 'x'\r",
        ": empty name\nName: a\n",
        "",
    ]
    for text in texts:
        ours = CoreMetadata(text)
        theirs = HeaderParser(policy=compat32).parsestr(text, headersonly=True)
        for key in ("Name", "Version", "License", "License-Expression", "Description"):
            assert ours.get(key) == theirs.get(key), (key, text[:200])
        for key in ("Requires-Dist", "Classifier"):
            assert ours.get_all(key) == (theirs.get_all(key) or []), (key, text[:200])
