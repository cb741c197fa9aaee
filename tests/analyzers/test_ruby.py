"""Ruby: gemspecs from real Debian packages and an old-style one; a Bundler lock file."""

from __future__ import annotations

from pathlib import Path

from hullguard.analyzers.ruby import GemfileLockAnalyzer, GemspecAnalyzer, literals
from tests.analyzers.lang import FIXTURES, scan

CASES = FIXTURES / "ruby"


def test_installed_gemspecs_from_debian_packages() -> None:
    packages, issues = scan(GemspecAnalyzer(), CASES / "debian")
    assert not issues
    by_name = {p.name: p for p in packages}
    assert {(p.name, p.version) for p in packages} == {("rack", "2.2.22"), ("nokogiri", "1.13.10")}
    assert by_name["rack"].licenses == ("MIT",) and by_name["rack"].dependencies == ()
    assert by_name["nokogiri"].dependencies == ("mini_portile2", "racc")
    assert by_name["rack"].purl == "pkg:gem/rack@2.2.22"


def test_old_style_gemspec_and_gemfile_lock() -> None:
    gems, issues = scan(GemspecAnalyzer(), CASES / "bundle")
    assert not issues
    assert [(p.name, p.version, p.licenses) for p in gems] == [("json", "1.8.6", ("Ruby",))]
    locked, issues = scan(GemfileLockAnalyzer(), CASES / "bundle")
    assert not issues
    assert {(p.name, p.version, p.arch) for p in locked} == {
        ("sinatra", "4.0.0", None),
        ("mustermann", "3.0.0", None),
        ("nokogiri", "1.15.4", "x86_64-linux"),
        ("racc", "1.7.1", None),
        ("rack", "3.0.8", None),
        ("ruby2_keywords", "0.0.5", None),
    }  # `shop`, from PATH, is the project itself
    assert {p.name: p.dependencies for p in locked}["sinatra"] == ("mustermann", "rack")


def test_gemspec_is_never_evaluated_and_bad_ones_are_issues(tmp_path: Path) -> None:
    spec = tmp_path / "usr/local/bundle/specifications/evil-1.0.gemspec"
    spec.parent.mkdir(parents=True)
    spec.write_text(
        'Gem::Specification.new do |s|\n  s.name = `touch /tmp/pwned`\n  s.version = File.read("/etc/passwd")\nend\n'
    )
    packages, issues = scan(GemspecAnalyzer(), tmp_path)
    assert packages == () and "no literal s.name or s.version" in issues[0].message
    spec.write_text(
        'Gem::Specification.new do |s|\n  s.name = "evil"\n  s.version = File.read("/etc/passwd")\nend\n'
    )
    assert "no literal s.name or s.version" in scan(GemspecAnalyzer(), tmp_path)[1][0].message
    source = tmp_path / "src/mygem/mygem.gemspec"  # a gem's source, not an installed record
    source.parent.mkdir(parents=True)
    source.write_text('Gem::Specification.new { |s| s.name = "mygem"; s.version = MyGem::VERSION }\n')
    assert scan(GemspecAnalyzer(), tmp_path)[0] == ()


def test_gemfile_lock_bad_spec_line(tmp_path: Path) -> None:
    (tmp_path / "Gemfile.lock").write_text(
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack 3.0.8\n    rake (13.0.6)\n"
    )
    packages, issues = scan(GemfileLockAnalyzer(), tmp_path)
    assert [(p.name, p.version) for p in packages] == [("rake", "13.0.6")]
    assert issues[0].message == "line 4: expected `    name (version)`, got 'rack 3.0.8'"


def test_ruby_literals() -> None:
    assert literals("[\"MIT\".freeze, 'Ruby', %q{BSD-2-Clause}]") == ["MIT", "Ruby", "BSD-2-Clause"]
    assert literals('%q<rake>.freeze, [">= 0"]') == ["rake", ">= 0"]


def test_assignments_to_another_receiver_than_the_block_variable_are_ignored(tmp_path: Path) -> None:
    spec = tmp_path / "usr/local/bundle/specifications/async-1.25.0.gemspec"
    spec.parent.mkdir(parents=True)
    spec.write_text(
        'Gem::Specification.new do |spec|\n    s.name = "async".freeze\n    s.version = "1.25.0"\nend\n'
    )
    packages, issues = scan(GemspecAnalyzer(), tmp_path)
    assert packages == () and "no literal s.name or s.version" in issues[0].message
    spec.write_text(
        'Gem::Specification.new do |spec|\n    spec.name = "async".freeze\n    spec.version = "1.25.0"\nend\n'
    )
    assert [(p.name, p.version) for p in scan(GemspecAnalyzer(), tmp_path)[0]] == [("async", "1.25.0")]
