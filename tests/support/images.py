"""Build real test images from real packages, cached by recipe.

debootstrap makes a real Debian root filesystem with a real dpkg database; pip and npm
install pinned real packages; umoci stacks them as layers of an OCI layout; skopeo writes
the docker-archive. Each image is built once per recipe and reused (keyed by a hash of the
recipe), under HULLGUARD_TEST_CACHE (default ~/.cache/hullguard-tests), with a file lock
so parallel test runs share one build.

    python -m tests.support.images demo OUT_DIR   # builds the demo image, prints its paths
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

RECIPE_VERSION = 1
PYTHON_SITE = "usr/local/lib/python3.11/site-packages"

# Real packages with known, public advisories at these versions.
DEMO_WHEELS = ("requests==2.25.0", "urllib3==1.26.4", "Jinja2==2.11.2", "MarkupSafe==2.1.2", "six==1.16.0")
DEMO_NPM = ("lodash@4.17.20", "minimist@1.2.5")
REMOVED_WHEEL = "six"


@dataclass(frozen=True)
class BuiltImage:
    oci_dir: Path
    tag: str
    archive: Path

    @property
    def oci_ref(self) -> str:
        return f"oci:{self.oci_dir}:{self.tag}"


@dataclass(frozen=True)
class Layer:
    """One layer: a directory of files to add, or paths to whiteout."""

    created_by: str
    populate: Callable[[Path], None] | None = None
    whiteouts: tuple[str, ...] = ()
    key: str = ""
    """Part of the cache key: what `populate` installs (it cannot be hashed itself)."""


@dataclass(frozen=True)
class Recipe:
    name: str
    layers: tuple[Layer, ...]
    config: tuple[str, ...] = field(default=())
    """Extra `umoci config` arguments."""

    def digest(self) -> str:
        text = json.dumps(
            [RECIPE_VERSION, self.name, [(layer.created_by, layer.whiteouts, layer.key) for layer in self.layers], self.config]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_root() -> Path:
    root = Path(os.environ.get("HULLGUARD_TEST_CACHE", Path.home() / ".cache" / "hullguard-tests"))
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run(*cmd: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def missing_tools() -> list[str]:
    return [t for t in ("debootstrap", "umoci", "skopeo") if shutil.which(t) is None]


def debian_mirror() -> str:
    """The Debian mirror this machine's apt already uses (so nothing else is contacted)."""
    candidates = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in candidates:
        if not path.is_file() or path.suffix not in ("", ".list", ".sources"):
            continue
        for line in path.read_text().splitlines():
            line = line.strip()
            if line.startswith("URIs:"):
                for uri in line.split()[1:]:
                    if "security" not in uri:
                        return uri
            elif line.startswith("deb ") and "security" not in line:
                parts = [p for p in line.split() if not p.startswith("[")]
                if len(parts) > 1:
                    return parts[1]
    raise RuntimeError("no Debian mirror found in /etc/apt sources")


def bookworm_rootfs() -> Path:
    """A debootstrap minbase bookworm root, built once and cached."""
    root = cache_root() / "bookworm-minbase"
    with _locked(root):
        if (root / "var/lib/dpkg/status").is_file() and (root / ".complete").exists():
            return root
        shutil.rmtree(root, ignore_errors=True)
        _run("debootstrap", "--variant=minbase", "bookworm", root, debian_mirror())
        # Apt's downloaded archives are not part of an image anyone would ship.
        for deb in (root / "var/cache/apt/archives").glob("*.deb"):
            deb.unlink()
        (root / ".complete").touch()
    return root


def copy_rootfs(dest: Path) -> None:
    _run("cp", "-a", f"{bookworm_rootfs()}/.", dest)
    (dest / ".complete").unlink(missing_ok=True)


def pip_layer(*requirements: str) -> Callable[[Path], None]:
    def populate(dest: Path) -> None:
        target = dest / PYTHON_SITE
        target.mkdir(parents=True, exist_ok=True)
        _run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--only-binary=:all:",
             "--python-version", "3.11", "--platform", "manylinux2014_x86_64", "--target", target, *requirements)

    return populate


def npm_layer(*packages: str, prefix: str = "app") -> Callable[[Path], None]:
    def populate(dest: Path) -> None:
        app = dest / prefix
        app.mkdir(parents=True, exist_ok=True)
        (app / "package.json").write_text(json.dumps({"name": "demo-app", "version": "1.0.0", "private": True}))
        _run("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", app, *packages)

    return populate


def is_built(recipe: Recipe) -> bool:
    return (cache_root() / f"{recipe.name}-{recipe.digest()}" / ".complete").exists()


def build(recipe: Recipe) -> BuiltImage:
    out = cache_root() / f"{recipe.name}-{recipe.digest()}"
    built = BuiltImage(oci_dir=out / "oci", tag="latest", archive=out / "image.tar")
    with _locked(out):
        if (out / ".complete").exists():
            return built
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        image = f"{built.oci_dir}:{built.tag}"
        _run("umoci", "init", "--layout", built.oci_dir)
        _run("umoci", "new", "--image", image)
        for layer in recipe.layers:
            if layer.populate is not None:
                with tempfile.TemporaryDirectory(prefix="hg-layer-") as tmp:
                    layer.populate(Path(tmp))
                    _run("umoci", "insert", "--history.created_by", layer.created_by, "--image", image, tmp, "/")
            for path in layer.whiteouts:
                _run("umoci", "insert", "--history.created_by", layer.created_by, "--image", image,
                     "--whiteout", path)
        if recipe.config:
            _run("umoci", "config", "--image", image, *recipe.config)
        _run("skopeo", "copy", "--quiet", f"oci:{built.oci_dir}:{built.tag}",
             f"docker-archive:{built.archive}:hullguard/{recipe.name}:latest")
        (out / ".complete").touch()
    return built


def demo_recipe() -> Recipe:
    removed = sorted(f"/{PYTHON_SITE}/{name}" for name in ("six.py", "six-1.16.0.dist-info"))
    return Recipe(
        name="bookworm-demo",
        layers=(
            Layer(created_by="debootstrap --variant=minbase bookworm", populate=copy_rootfs, key="bookworm"),
            Layer(created_by=f"pip install {' '.join(DEMO_WHEELS)} && npm install {' '.join(DEMO_NPM)}",
                  populate=_both(pip_layer(*DEMO_WHEELS), npm_layer(*DEMO_NPM)), key=repr((DEMO_WHEELS, DEMO_NPM))),
            Layer(created_by=f"pip uninstall {REMOVED_WHEEL}", whiteouts=tuple(removed)),
        ),
        config=("--config.user", "1000", "--config.cmd", "/bin/bash"),
    )


def _both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def populate(dest: Path) -> None:
        for step in steps:
            step(dest)

    return populate


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "demo":
        print("usage: python -m tests.support.images demo OUT_DIR", file=sys.stderr)
        return 2
    recipe = demo_recipe()
    if not is_built(recipe):  # said only when it happens: a cached image takes a second
        print(
            "demo: building the demo image (debootstrap bookworm + pinned pip/npm packages; "
            "a few minutes, once: it is cached)",
            file=sys.stderr,
        )
    built = build(recipe)
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    copy = out / "bookworm-demo.tar"
    same = copy.exists() and copy.stat().st_size == built.archive.stat().st_size
    if not (same and copy.stat().st_mtime == built.archive.stat().st_mtime):
        shutil.copy2(built.archive, copy)
    print(copy)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
