"""Every language ecosystem in one real image (umoci layers, skopeo docker-archive), with a whiteout."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from hullguard.model import PackageType
from hullguard.pipeline import FsTarget, ImageTarget, ScanOptions, scan
from tests.analyzers.lang import FIXTURES
from tests.conftest import require
from tests.support import images

pytestmark = pytest.mark.integration

COPIED = {
    "python_lock/poetry/app/poetry.lock": "srv/py/poetry.lock",
    "ruby/bundle/app/Gemfile.lock": "srv/rb/Gemfile.lock",
    "ruby/debian/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec": "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec",
    "cargo/project/src/demo/Cargo.lock": "srv/rs/Cargo.lock",
    "php/installed-v2/var/www/shop/vendor/composer/installed.json": "var/www/shop/vendor/composer/installed.json",
    "dotnet/app/app/MyApp.deps.json": "app/MyApp.deps.json",
}
REMOVED_JAR = "srv/java/lib/log4j-core-2.14.1.jar"


def _jar(group: str, artifact: str, version: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            f"META-INF/maven/{group}/{artifact}/pom.properties",
            f"groupId={group}\nartifactId={artifact}\nversion={version}\n",
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buf.getvalue()


def _populate(dest: Path) -> None:
    for source, target in COPIED.items():
        (dest / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / source, dest / target)
    lib = dest / "srv/java/lib"
    lib.mkdir(parents=True)
    nested = _jar("org.yaml", "snakeyaml", "1.33")
    (lib / "shop-1.0.0.war").write_bytes(
        _jar("com.example", "shop", "1.0.0", {"WEB-INF/lib/snakeyaml-1.33.jar": nested})
    )
    (dest / REMOVED_JAR).write_bytes(_jar("org.apache.logging.log4j", "log4j-core", "2.14.1"))


def _recipe() -> images.Recipe:
    digest = hashlib.sha256()
    for source in sorted(COPIED):
        digest.update((FIXTURES / source).read_bytes())
    return images.Recipe(
        name="lang-demo",
        layers=(
            images.Layer(created_by="COPY . /", populate=_populate, key=digest.hexdigest()),
            images.Layer(created_by=f"rm /{REMOVED_JAR}", whiteouts=(f"/{REMOVED_JAR}",)),
        ),
    )


def test_every_ecosystem_with_its_layer_and_the_deleted_jar_gone() -> None:
    missing = [t for t in ("umoci", "skopeo") if shutil.which(t) is None]
    require(not missing, f"image build tools missing: {', '.join(missing)} (run scripts/setup)")
    built = images.build(_recipe())
    report = scan(ImageTarget(ref=str(built.archive)), ScanOptions(scanners=frozenset()))
    added = report.artifact.layers[0]
    packages = report.packages or ()
    assert not report.issues
    # poetry.lock and Gemfile.lock describe a build; an image's truth is what is installed.
    assert {p.type for p in packages} == {
        PackageType.GEM,
        PackageType.CARGO,
        PackageType.COMPOSER,
        PackageType.NUGET,
        PackageType.MAVEN,
    }
    assert all(p.layer == added for p in packages)
    maven = {(p.name, p.version, p.path) for p in packages if p.type is PackageType.MAVEN}
    assert maven == {
        ("com.example:shop", "1.0.0", "srv/java/lib/shop-1.0.0.war"),
        ("org.yaml:snakeyaml", "1.33", "srv/java/lib/shop-1.0.0.war!/WEB-INF/lib/snakeyaml-1.33.jar"),
    }  # log4j-core was deleted by the whiteout layer
    assert {(p.name, p.version) for p in packages if p.type is PackageType.GEM} == {("rack", "2.2.22")}
    assert {p.name for p in packages if p.type is PackageType.NUGET} == {"Newtonsoft.Json", "Serilog"}


def test_the_same_files_as_a_project_tree_include_the_lock_files(tmp_path: Path) -> None:
    _populate(tmp_path)
    report = scan(FsTarget(path=tmp_path), ScanOptions(scanners=frozenset()))
    paths = {p.path for p in report.packages or ()}
    assert {"srv/py/poetry.lock", "srv/rb/Gemfile.lock", f"{REMOVED_JAR}"} <= paths
