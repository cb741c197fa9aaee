"""Rust (a Cargo.lock written by real cargo), PHP Composer and .NET NuGet manifests."""

from __future__ import annotations

from pathlib import Path

from hullguard.analyzers.cargo import CargoLockAnalyzer
from hullguard.analyzers.dotnet import DotnetAnalyzer
from hullguard.analyzers.php import ComposerInstalledAnalyzer, ComposerLockAnalyzer
from tests.analyzers.lang import FIXTURES, nv, scan


def test_cargo_lock_crates_without_the_workspace_member() -> None:
    packages, issues = scan(CargoLockAnalyzer(), FIXTURES / "cargo" / "project")
    assert not issues
    assert nv(packages) == {
        ("aho-corasick", "0.7.19"),
        ("memchr", "2.5.0"),
        ("regex", "1.7.1"),
        ("regex-syntax", "0.6.27"),
    }
    regex = next(p for p in packages if p.name == "regex")
    assert regex.dependencies == ("aho-corasick", "memchr", "regex-syntax")
    assert regex.purl == "pkg:cargo/regex@1.7.1" and regex.path == "src/demo/Cargo.lock"


def test_cargo_lock_v1_style_dependency_strings_and_bad_entries(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text(
        '[[package]]\nname = "rand"\nversion = "0.8.5"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
        'dependencies = [\n "rand_core 0.6.4 (registry+https://github.com/rust-lang/crates.io-index)",\n]\n\n'
        '[[package]]\nname = "nameless"\n'
    )
    packages, issues = scan(CargoLockAnalyzer(), tmp_path)
    assert [(p.name, p.dependencies) for p in packages] == [("rand", ("rand_core",))]
    assert issues[0].message == "[[package]] #2 has no name or version; skipped"


def test_composer_lock_and_both_installed_json_versions() -> None:
    cases = FIXTURES / "php"
    lock, issues = scan(ComposerLockAnalyzer(), cases / "lock")
    assert not issues
    assert {(p.name, p.version, p.dev) for p in lock} == {
        ("monolog/monolog", "2.9.1", False),
        ("psr/log", "3.0.0", False),
        ("myclabs/deep-copy", "1.11.1", True),
    }
    monolog = next(p for p in lock if p.name == "monolog/monolog")
    assert monolog.licenses == ("MIT",) and monolog.dependencies == ("psr/log",)
    assert monolog.purl == "pkg:composer/monolog/monolog@2.9.1"
    v2, _ = scan(ComposerInstalledAnalyzer(), cases / "installed-v2")
    assert {(p.name, p.dev) for p in v2} == {
        ("monolog/monolog", False),
        ("psr/log", False),
        ("myclabs/deep-copy", True),
    }
    assert {p.path for p in v2} == {"var/www/shop/vendor/composer/installed.json"}
    v1, _ = scan(ComposerInstalledAnalyzer(), cases / "installed-v1")
    assert nv(v1) == {("guzzlehttp/guzzle", "6.5.5"), ("guzzlehttp/psr7", "1.9.0")}


def test_composer_wrong_shapes_are_issues(tmp_path: Path) -> None:
    (tmp_path / "composer.lock").write_text('{"packages": {"name": "x"}}')
    packages, issues = scan(ComposerLockAnalyzer(), tmp_path)
    assert packages == () and "packages should be a list" in issues[0].message


def test_deps_json_keeps_packages_not_projects() -> None:
    packages, issues = scan(DotnetAnalyzer(), FIXTURES / "dotnet" / "app")
    assert not issues
    assert nv(packages) == {("Newtonsoft.Json", "13.0.1"), ("Serilog", "2.10.0")}
    assert {p.purl for p in packages} == {"pkg:nuget/Newtonsoft.Json@13.0.1", "pkg:nuget/Serilog@2.10.0"}


def test_packages_lock_json_across_frameworks() -> None:
    packages, issues = scan(DotnetAnalyzer(), FIXTURES / "dotnet" / "project")
    assert not issues
    assert nv(packages) == {
        ("Newtonsoft.Json", "13.0.1"),
        ("Serilog.Sinks.Console", "4.0.1"),
        ("Serilog", "2.10.0"),
    }
    sink = next(p for p in packages if p.name == "Serilog.Sinks.Console")
    assert sink.dependencies == ("Serilog",)


def test_composer_licence_as_a_string_and_one_bad_entry(tmp_path: Path) -> None:
    (tmp_path / "composer.lock").write_text(
        '{"packages": [{"name": "pear/log", "version": "1.13.3", "license": "MIT"},'
        ' {"name": "bad/one", "version": "1.0.0", "require": ["not", "an", "object"]},'
        ' {"name": "psr/log", "version": "1.1.4", "license": ["MIT"]}]}'
    )
    packages, issues = scan(ComposerLockAnalyzer(), tmp_path)
    assert {(p.name, p.licenses) for p in packages} == {("pear/log", ("MIT",)), ("psr/log", ("MIT",))}
    assert len(issues) == 1 and "package #2 skipped" in issues[0].message


def test_deps_json_leaves_out_packages_that_ship_no_asset(tmp_path: Path) -> None:
    (tmp_path / "app.deps.json").write_text(
        """{"targets": {".NETCoreApp,Version=v6.0": {
              "app/1.0.0": {"dependencies": {"Serilog": "2.10.0"}, "runtime": {"app.dll": {}}},
              "Serilog/2.10.0": {"runtime": {"lib/net5.0/Serilog.dll": {}}},
              "Microsoft.NETCore.App/1.1.2": {"dependencies": {"Libuv": "1.9.1"}},
              "Libuv/1.9.1": {"runtimeTargets": {"runtimes/linux-x64/native/libuv.so": {"rid": "linux-x64"}}}}},
            "libraries": {"app/1.0.0": {"type": "project"}, "Serilog/2.10.0": {"type": "package"},
              "Microsoft.NETCore.App/1.1.2": {"type": "package"}, "Libuv/1.9.1": {"type": "package"},
              "Unlisted/1.0.0": {"type": "package"}}}"""
    )
    packages, _ = scan(DotnetAnalyzer(), tmp_path)
    assert nv(packages) == {("Serilog", "2.10.0"), ("Libuv", "1.9.1"), ("Unlisted", "1.0.0")}


def test_deps_json_with_a_utf8_byte_order_mark(tmp_path: Path) -> None:
    content = (FIXTURES / "dotnet" / "app" / "app" / "MyApp.deps.json").read_bytes()
    (tmp_path / "MyApp.deps.json").write_bytes(b"\xef\xbb\xbf" + content)
    packages, issues = scan(DotnetAnalyzer(), tmp_path)
    assert not issues and nv(packages) == {("Newtonsoft.Json", "13.0.1"), ("Serilog", "2.10.0")}
