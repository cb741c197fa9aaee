"""Node.js: installed node_modules manifests, and lock files written by real npm, yarn and pnpm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.analyzers.base import Analyzer
from hullguard.analyzers.npm import NpmAnalyzer
from hullguard.analyzers.npm_lock import NpmLockAnalyzer
from hullguard.analyzers.pnpm import PnpmAnalyzer, split_key
from hullguard.analyzers.specs import is_package_folder
from hullguard.analyzers.yarn import YarnAnalyzer
from tests.analyzers.lang import FIXTURES, nv, scan

LOCKED = {
    ("@types/node", "20.11.0"),
    ("undici-types", "5.26.5"),
    ("lodash", "4.17.20"),
    ("minimist", "1.2.5"),
    ("is-number", "7.0.0"),
}


def test_node_modules_manifests_nested_and_not_the_project() -> None:
    packages, issues = scan(NpmAnalyzer(), FIXTURES / "npm" / "installed")
    assert not issues
    assert {(p.name, p.version, p.path) for p in packages} == {
        ("debug", "2.6.9", "app/node_modules/debug/package.json"),
        ("ms", "2.0.0", "app/node_modules/debug/node_modules/ms/package.json"),
        ("ms", "2.1.3", "app/node_modules/ms/package.json"),
        ("lodash", "4.17.20", "app/node_modules/lodash/package.json"),
        ("uuid", "9.0.1", "app/node_modules/uuid/package.json"),
    }
    lodash = next(p for p in packages if p.name == "lodash")
    assert lodash.licenses == ("MIT",) and lodash.purl == "pkg:npm/lodash@4.17.20"


def test_package_folder_shapes() -> None:
    assert is_package_folder("node_modules/@types/node/package.json")
    assert is_package_folder("usr/lib/node_modules/npm/node_modules/abbrev/package.json")
    assert not is_package_folder("app/package.json")
    assert not is_package_folder("node_modules/uuid/dist/esm-node/package.json")
    assert not is_package_folder("node_modules/@scope/package.json")


@pytest.mark.parametrize("case", ["v1", "v2", "v3"])
def test_package_lock_versions(case: str) -> None:
    packages, issues = scan(NpmLockAnalyzer(), FIXTURES / "npm_lock" / case)
    assert not issues
    assert nv(packages) == LOCKED
    assert {p.name for p in packages if p.dev} == {"is-number"}
    assert next(p for p in packages if p.name == "@types/node").purl == "pkg:npm/%40types/node@20.11.0"


def test_npm_workspace_members_and_their_links_are_the_project() -> None:
    packages, issues = scan(NpmLockAnalyzer(), FIXTURES / "npm_lock" / "workspaces")
    assert not issues
    assert {(p.name, p.version, p.dev) for p in packages} == {
        ("minimist", "1.2.5", False),
        ("is-number", "7.0.0", True),
    }


@pytest.mark.parametrize("case", ["v1", "berry"])
def test_yarn_lock_formats(case: str) -> None:
    packages, issues = scan(YarnAnalyzer(), FIXTURES / "yarn" / case)
    assert not issues
    assert nv(packages) == LOCKED  # the berry workspace entry (the project itself) is not a package
    assert {p.name for p in packages if p.dev} == {"is-number"}  # from the package.json beside the lock
    types = next(p for p in packages if p.name == "@types/node")
    assert types.dependencies == ("undici-types",)


@pytest.mark.parametrize("case", ["v6", "v9"])
def test_pnpm_lock_formats_and_dev_marks(case: str) -> None:
    packages, issues = scan(PnpmAnalyzer(), FIXTURES / "pnpm" / case)
    assert not issues
    assert nv(packages) == LOCKED
    assert {p.name for p in packages if p.dev} == {"is-number"}


@pytest.mark.parametrize(
    ("analyzer", "case"),
    [
        (NpmLockAnalyzer(), "npm_lock/v1-alias"),
        (NpmLockAnalyzer(), "npm_lock/v3-alias"),
        (YarnAnalyzer(), "yarn/v1-alias"),
        (YarnAnalyzer(), "yarn/berry-alias"),
        (PnpmAnalyzer(), "pnpm/v9-alias"),
    ],
)
def test_an_aliased_dev_dependency_is_the_real_package(analyzer: Analyzer, case: str) -> None:
    """`"old-lodash": "npm:lodash@4.17.15"` installs lodash 4.17.15, for development only."""
    packages, issues = scan(analyzer, FIXTURES / case)
    assert not issues
    assert {(p.name, p.version, p.dev) for p in packages} == {
        ("lodash", "4.17.20", False),
        ("lodash", "4.17.15", True),
    }


def test_yarn_spec_names() -> None:
    from hullguard.analyzers.yarn import _name

    assert _name("@types/node@npm:20.11.0") == "@types/node"
    assert _name("lodash@^4.17.0") == "lodash"
    assert _name("my-lodash@npm:lodash@^4.17.0") == "lodash"
    assert _name("@scope/alias@npm:@types/node@^20") == "@types/node"
    assert _name("demo-app@workspace:.") is None


def test_pnpm_v9_alias_in_dev_dependencies() -> None:
    packages, issues = scan(PnpmAnalyzer(), FIXTURES / "pnpm" / "v9-alias")
    assert not issues
    assert {(p.name, p.version, p.dev) for p in packages} == {
        ("lodash", "4.17.20", False),
        ("lodash", "4.17.15", True),
    }


def test_pnpm_keys() -> None:
    assert split_key("/@babel/core@7.1.0(supports-color@5.5.0)", v5=False) == ("@babel/core", "7.1.0")
    assert split_key("react-dom@18.2.0(react@18.2.0)", v5=False) == ("react-dom", "18.2.0")
    assert split_key("/@babel/core/7.1.0_supports-color@5.5.0", v5=True) == ("@babel/core", "7.1.0")


def test_lock_beside_installed_node_modules_is_not_read_twice(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "node_modules" / "lodash").mkdir(parents=True)
    (app / "node_modules" / "lodash" / "package.json").write_text('{"name": "lodash", "version": "4.17.20"}')
    lock = FIXTURES / "npm_lock" / "v3" / "app" / "package-lock.json"
    (app / "package-lock.json").write_bytes(lock.read_bytes())
    assert scan(NpmLockAnalyzer(), tmp_path)[0] == ()
    assert nv(scan(NpmAnalyzer(), tmp_path)[0]) == {("lodash", "4.17.20")}
    (app / "node_modules" / "lodash" / "package.json").unlink()  # an empty node_modules installs nothing
    assert nv(scan(NpmLockAnalyzer(), tmp_path)[0]) == LOCKED
    (app / "package-lock.json").rename(app / "node_modules" / "lodash" / "package-lock.json")
    assert scan(NpmLockAnalyzer(), tmp_path)[0] == ()  # a package's own lock, shipped inside it


def test_malformed_inputs_become_issues(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text(
        '{"lockfileVersion": 3,\n "packages": {\n  "node_modules/a": {"version": }\n}}'
    )
    packages, issues = scan(NpmLockAnalyzer(), tmp_path)
    assert packages == () and "package-lock.json:3: invalid JSON" in issues[0].message
    (tmp_path / "package-lock.json").write_text(
        json.dumps({"dependencies": {"a": {"version": "1.0.0", "dependencies": [1]}}})
    )
    packages, issues = scan(NpmLockAnalyzer(), tmp_path)
    assert "should be an object" in issues[0].message
    deep: dict[str, object] = {"version": "1.0.0"}
    for i in range(200):
        deep = {"version": f"1.0.{i}", "dependencies": {"a": deep}}
    (tmp_path / "package-lock.json").write_text(json.dumps({"dependencies": {"a": deep}}))
    packages, issues = scan(NpmLockAnalyzer(), tmp_path)
    assert len(packages) == 65 and "nested deeper" in issues[0].message
    (tmp_path / "yarn.lock").write_text('# yarn lockfile v1\n\nlodash@^4:\n  resolved "x"\n\n"bad header:\n')
    packages, issues = scan(YarnAnalyzer(), tmp_path)
    assert sorted(i.message for i in issues) == [
        "line 3: lodash has no version; skipped",
        "line 6: expected `name@range:`, got '\"bad header:'",
    ]
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\npackages:\n  a@1: [\n")
    packages, issues = scan(PnpmAnalyzer(), tmp_path)
    assert packages == () and "invalid YAML" in issues[0].message


def test_json_report_marks_dev_packages_only(capsys: pytest.CaptureFixture[str]) -> None:
    from hullguard.cli.main import main

    assert main(["fs", str(FIXTURES / "npm_lock" / "v3"), "--format", "json", "--scanners", "vuln"]) == 0
    packages = json.loads(capsys.readouterr().out)["packages"]
    assert {p["name"]: p.get("dev") for p in packages} == {
        "@types/node": None,
        "undici-types": None,
        "lodash": None,
        "minimist": None,
        "is-number": True,
    }


def test_yarn_v1_with_every_key_quoted(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_text(
        '"jquery@^3.6.0":\n  "integrity" "sha512-x"\n  "resolved" "https://r/jquery-3.6.0.tgz"\n  "version" "3.6.0"\n'
    )
    assert nv(scan(YarnAnalyzer(), tmp_path)[0]) == {("jquery", "3.6.0")}


def test_pnpm_lock_with_two_documents_and_a_local_package(tmp_path: Path) -> None:
    """pnpm 10+ writes its own package-manager dependencies as a first YAML document."""
    project = (FIXTURES / "pnpm" / "v9" / "app" / "pnpm-lock.yaml").read_text()
    tool = (
        "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    packageManagerDependencies:\n      pnpm:\n"
        "        specifier: ^10.0.0\n        version: 10.2.0\n\npackages:\n\n  pnpm@10.2.0: {}\n\n"
        "  local-lib@file:packages/local-lib: {}\n\nsnapshots:\n\n  pnpm@10.2.0: {}\n"
    )
    (tmp_path / "pnpm-lock.yaml").write_text(tool + "---\n" + project)
    packages, issues = scan(PnpmAnalyzer(), tmp_path)
    assert not issues
    assert nv(packages) == LOCKED | {("pnpm", "10.2.0")}
    assert {p.name for p in packages if p.dev} == {"is-number", "pnpm"}


def test_installed_manifest_with_an_impossible_name(tmp_path: Path) -> None:
    folder = tmp_path / "node_modules" / "bad"
    folder.mkdir(parents=True)
    (folder / "package.json").write_text('{"name": "@invalid/packageName/", "version": "1.0.0"}')
    packages, issues = scan(NpmAnalyzer(), tmp_path)
    assert packages == () and "is not an npm package name" in issues[0].message
