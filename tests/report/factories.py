"""A small report with one package of each kind the writers must render differently."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from hullguard.analyzers.purl import with_purls
from hullguard.model import (
    OS,
    Artifact,
    ArtifactType,
    Digest,
    Inventory,
    Package,
    PackageType,
    Report,
    Severity,
    Vulnerability,
)

BASE = Digest("sha256:" + "1" * 64)
APP = Digest("sha256:" + "2" * 64)


def make_package(**overrides: Any) -> Package:
    fields: dict[str, Any] = {
        "type": PackageType.DEB,
        "name": "zlib1g",
        "version": "1:1.2.13.dfsg-1",
        "layer": BASE,
    }
    fields.update(overrides)
    return Package(**fields)


def make_report(**overrides: Any) -> Report:
    os = OS(
        family="debian",
        version="12",
        name="Debian GNU/Linux 12 (bookworm)",
        eol=False,
        eol_date=date(2028, 6, 30),
    )
    packages = (
        make_package(
            source_name="zlib",
            source_version="1:1.2.13.dfsg-1",
            arch="amd64",
            path="var/lib/dpkg/status",
            licenses=("Zlib",),
        ),
        make_package(
            name="libc6",
            version="2.36-9+deb12u4",
            source_name="glibc",
            arch="amd64",
            path="var/lib/dpkg/status",
            licenses=("GPL-2+", "LGPL-2.1"),
            dependencies=("libgcc-s1",),
        ),
        make_package(
            name="libgcc-s1",
            version="12.2.0-14",
            source_name="gcc-12",
            arch="amd64",
            path="var/lib/dpkg/status",
        ),
        make_package(
            type=PackageType.PYPI,
            name="Jinja2",
            version="2.11.2",
            layer=APP,
            path="usr/local/lib/python3.11/site-packages/Jinja2-2.11.2.dist-info/METADATA",
            licenses=("BSD-3-Clause",),
            dependencies=("MarkupSafe",),
        ),
        make_package(
            type=PackageType.NPM,
            name="@babel/core",
            version="7.24.0",
            layer=APP,
            path="app/node_modules/@babel/core/package.json",
            licenses=("MIT OR Apache-2.0",),
        ),
        make_package(
            type=PackageType.NPM,
            name="lodash",
            version="4.17.20",
            layer=APP,
            path="app/node_modules/lodash/package.json",
            licenses=("MIT",),
        ),
        make_package(
            type=PackageType.NPM,
            name="lodash",
            version="4.17.20",
            layer=APP,
            path="app/node_modules/other/node_modules/lodash/package.json",
            licenses=("MIT",),
        ),
        make_package(
            type=PackageType.GOLANG,
            name="github.com/opencontainers/umoci",
            version="v0.4.7",
            layer=APP,
            path="usr/bin/umoci",
        ),
        make_package(
            type=PackageType.MAVEN,
            name="org.apache.logging.log4j:log4j-core",
            version="2.14.1",
            layer=APP,
            path="app/lib/log4j-core-2.14.1.jar",
            licenses=("Apache License, Version 2.0",),
        ),
    )
    inventory = with_purls(Inventory(packages=packages, os=os))
    jinja = next(p for p in inventory.packages if p.name == "Jinja2")
    report = Report(
        artifact=Artifact(
            name="registry.example/app:1.0",
            type=ArtifactType.CONTAINER_IMAGE,
            digest=Digest("sha256:" + "a" * 64),
            os=os,
            layers=(BASE, APP),
        ),
        packages=inventory.packages,
        findings=(
            Vulnerability(
                id="CVE-2020-28493",
                severity=Severity.MEDIUM,
                title="ReDoS in urlize",
                package=jinja,
                aliases=("GHSA-g3rq-g295-4j3m",),
                fixed_version="2.11.3",
                cvss_score=5.3,
                cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
                references=("https://nvd.nist.gov/vuln/detail/CVE-2020-28493",),
            ),
        ),
    )
    return dataclasses.replace(report, **overrides)
