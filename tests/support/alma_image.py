"""A real AlmaLinux-9-shaped test image for the end-to-end vulnerability test.

Layer one is an rpm root: real rpm packages built here with `rpmbuild`, named, versioned and
split into binary packages like AlmaLinux 9's (source rpm `python3.9` gives `python3` and
`python3-libs`, epochs where AlmaLinux has them, `%{dist}` releases), installed with
`rpm --root` so the image carries a real `var/lib/rpm/rpmdb.sqlite`, next to AlmaLinux 9's
os-release. The packages hold no files: only their headers matter to a scanner. Layer two
is pinned old releases of real PyPI projects installed by pip into python3.9's site-packages.

    python -m tests.support.alma_image OUT_DIR   # builds the image, prints its archive
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.images import Layer, Recipe, build

PYTHON_SITE = "usr/lib/python3.9/site-packages"

OS_RELEASE = """\
NAME="AlmaLinux"
VERSION="9.4 (Seafoam Ocelot)"
ID="almalinux"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"
ANSI_COLOR="0;34"
CPE_NAME="cpe:/o:almalinux:almalinux:9::baseos"
HOME_URL="https://almalinux.org/"
"""


@dataclass(frozen=True)
class SourceRpm:
    """One source package and the binary packages built from it (AlmaLinux 9's names)."""

    name: str
    version: str
    release: str
    """Without the dist tag: `41` plus dist `.el9_0` gives release `41.el9_0`."""
    dist: str
    binaries: tuple[str, ...]
    epoch: int | None = None
    modularity_label: str | None = None
    """A module stream's build: `name:stream:version:context`."""
    release_suffix: str = ""
    """After the dist tag, as AlmaLinux's rebuilds add `.alma.1`."""

    @property
    def evr(self) -> str:
        prefix = f"{self.epoch}:" if self.epoch else ""
        return f"{prefix}{self.version}-{self.release}{self.dist}{self.release_suffix}"


# Versions below AlmaLinux 9 fixes (and two exactly at a fix: tar's 2:1.34-6.el9_1 and
# xz's 5.2.5-8.el9_0, which must not match the advisories they fix).
RPMS = (
    SourceRpm("openssl", "3.0.1", "41", ".el9_0", ("openssl", "openssl-libs"), epoch=1),
    SourceRpm("curl", "7.76.1", "14", ".el9", ("curl", "libcurl")),
    SourceRpm("sqlite", "3.34.1", "5", ".el9", ("sqlite-libs",)),
    SourceRpm("python3.9", "3.9.10", "2", ".el9", ("python3", "python3-libs")),
    SourceRpm("bind", "9.16.23", "1", ".el9", ("bind-libs",), epoch=32),
    SourceRpm("vim", "8.2.2637", "16", ".el9_0", ("vim-minimal",), epoch=2),
    SourceRpm("tar", "1.34", "6", ".el9_1", ("tar",), epoch=2),
    SourceRpm("xz", "5.2.5", "8", ".el9_0", ("xz", "xz-libs")),
    SourceRpm("glibc", "2.34", "40", ".el9", ("glibc",)),
    SourceRpm("less", "590", "1", ".el9_0", ("less",)),
    # Outside modules (AppStream's nodejs 16): the nodejs:18/20/22/24 streams' advisories do
    # not concern it, though its version is below their fixes.
    SourceRpm("nodejs", "16.20.2", "1", ".el9_2", ("nodejs",), epoch=1),
    # The nginx:1.22 stream's build at its first fix: only the stream's later advisory applies,
    # not the non-modular nginx's (epoch 2) nor the 1.24 and 1.26 streams'.
    SourceRpm(
        "nginx",
        "1.22.1",
        "3",
        ".module_el9.2.0+44+f932b372",
        ("nginx",),
        epoch=1,
        modularity_label="nginx:1.22:9020020230823:rhel9",
        release_suffix=".1.alma.1",
    ),
)

# Real releases with PYSEC advisories at these versions. PyYAML 5.3.1 has no Linux wheel:
# it is built from its sdist (the dist-info is what a scanner reads).
WHEELS = (
    "urllib3==1.26.4",
    "Jinja2==2.11.2",
    "requests==2.25.0",
    "Django==3.2",
    "Pillow==8.1.0",
    "Werkzeug==1.0.1",
    "cryptography==3.3.1",
    "idna==3.6",
    "MarkupSafe==2.0.1",
)
SDISTS = ("PyYAML==5.3.1",)


def missing_tools() -> list[str]:
    return [t for t in ("rpm", "rpmbuild", "umoci", "skopeo") if shutil.which(t) is None]


def _run(*cmd: str | Path) -> None:
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )


def spec_text(rpm: SourceRpm) -> str:
    lines = [
        f"Name: {rpm.name}",
        *([f"Epoch: {rpm.epoch}"] if rpm.epoch else []),
        f"Version: {rpm.version}",
        f"Release: {rpm.release}%{{?dist}}{rpm.release_suffix}",
        *([f"ModularityLabel: {rpm.modularity_label}"] if rpm.modularity_label else []),
        f"Summary: hullguard test package named like AlmaLinux 9's {rpm.name}",
        "License: MIT",
        "%global debug_package %{nil}",
        "%description",
        "Header-only stand-in for a scanner test.",
    ]
    for binary in rpm.binaries:
        if binary == rpm.name:
            lines += ["%files"]
            continue
        lines += [
            f"%package -n {binary}",
            f"Summary: {binary} from {rpm.name}",
            f"%description -n {binary}",
            "Header-only stand-in for a scanner test.",
            f"%files -n {binary}",
        ]
    return "\n".join(lines) + "\n"


def build_rpms(workdir: Path) -> list[Path]:
    """Binary rpms for RPMS, built with rpmbuild under `workdir`."""
    top = workdir / "rpmbuild"
    for rpm in RPMS:
        spec = workdir / f"{rpm.name}.spec"
        spec.write_text(spec_text(rpm))
        _run(
            "rpmbuild",
            "-bb",
            "--quiet",
            "--define",
            f"_topdir {top}",
            "--define",
            f"dist {rpm.dist}",
            "--define",
            "_build_id_links none",
            spec,
        )
    return sorted((top / "RPMS").rglob("*.rpm"))


def rpm_root(dest: Path) -> None:
    """AlmaLinux 9's os-release and an rpm database (sqlite backend) holding RPMS."""
    (dest / "etc").mkdir(parents=True, exist_ok=True)
    (dest / "etc/os-release").write_text(OS_RELEASE)
    (dest / "etc/almalinux-release").write_text("AlmaLinux release 9.4 (Seafoam Ocelot)\n")
    with tempfile.TemporaryDirectory(prefix="hg-rpmbuild-") as tmp:
        packages = build_rpms(Path(tmp))
        _run(
            "rpm",
            "--install",
            "--root",
            dest,
            "--dbpath",
            "/var/lib/rpm",
            "--define",
            "_db_backend sqlite",
            "--nodeps",
            "--noscripts",
            "--nosignature",
            "--ignorearch",
            "--ignoreos",
            *packages,
        )
    for leftover in ("var/lib/rpm/.rpm.lock", "var/lib/rpm/rpmdb.sqlite-shm"):
        (dest / leftover).unlink(missing_ok=True)


def pip_site(dest: Path) -> None:
    target = dest / PYTHON_SITE
    target.mkdir(parents=True, exist_ok=True)
    common = ("-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target", target)
    _run(
        sys.executable,
        *common,
        "--only-binary=:all:",
        "--python-version",
        "3.9",
        "--implementation",
        "cp",
        "--abi",
        "cp39",
        "--platform",
        "manylinux2014_x86_64",
        "--platform",
        "manylinux2010_x86_64",
        "--platform",
        "manylinux1_x86_64",
        *WHEELS,
    )
    _run(sys.executable, *common, "--no-binary=:all:", *SDISTS)


def alma_recipe() -> Recipe:
    packages = " ".join(f"{b}-{r.evr}" for r in RPMS for b in r.binaries)
    return Recipe(
        name="alma9-vuln",
        layers=(
            Layer(
                created_by=f"rpm --install {packages}",
                populate=rpm_root,
                key=repr((OS_RELEASE, RPMS, [spec_text(r) for r in RPMS])),
            ),
            Layer(
                created_by=f"pip install {' '.join(WHEELS + SDISTS)}",
                populate=pip_site,
                key=repr((WHEELS, SDISTS)),
            ),
        ),
        config=("--config.cmd", "/bin/bash"),
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.support.alma_image OUT_DIR", file=sys.stderr)
        return 2
    built = build(alma_recipe())
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built.archive, out / "alma9-vuln.tar")
    print(out / "alma9-vuln.tar")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
