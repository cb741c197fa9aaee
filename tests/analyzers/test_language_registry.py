"""Every analyzer class in `hullguard.analyzers` is registered once, under a unique id."""

from __future__ import annotations

import importlib
import pkgutil

import hullguard.analyzers as package
from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalyzerSpec, Deferred


def test_every_analyzer_module_is_registered_with_a_unique_id() -> None:
    """Registered as `Deferred` (imported when it has a file), each loads the class it names,
    whose spec is the one registered."""
    registered = {type(a.load()) if isinstance(a, Deferred) else type(a) for a in ANALYZERS}
    ids = [a.spec.id for a in ANALYZERS]
    assert len(ids) == len(set(ids)), f"duplicate analyzer ids: {sorted(ids)}"
    defined = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            own = isinstance(value, type) and value.__module__ == module.__name__
            if own and isinstance(getattr(value, "spec", None), AnalyzerSpec):
                defined.add(value)
    assert len(defined) >= len(ANALYZERS) - 1  # discovery works (os-release et al. are found too)
    assert defined - registered == set(), "analyzers defined but not in ANALYZERS"


def test_every_file_an_analyzer_matches_passes_the_layer_readers_predicate() -> None:
    """Specs with their own `matches` must still show a prefilter over all specs' names and endings
    something that lets their files through, or an image never keeps those files."""
    from hullguard.analyzers.run import wants
    from hullguard.sources.rootfs import DirTree
    from hullguard.sources.tree import EntryType
    from tests.analyzers.lang import FIXTURES

    wanted = wants(ANALYZERS)
    files = [e for e in DirTree(FIXTURES).entries() if e.type is EntryType.FILE]
    matched = [(a.spec.id, e.path) for a in ANALYZERS for e in files if a.spec.matches(e)]
    assert {spec for spec, _ in matched} >= {"pip-requirements", "npm-installed", "python-lock"}
    assert [m for m in matched if not wanted(next(e for e in files if e.path == m[1]))] == []  # type: ignore[operator]
    narrowed = [a.spec for a in ANALYZERS if type(a.spec).matches is not AnalyzerSpec.matches]
    assert narrowed, "no spec with its own matches: the contract below tests nothing"
    widened = [(s.id, e.path) for s in narrowed for e in files if s.matches(e) and not AnalyzerSpec.matches(s, e)]
    assert widened == [], "a spec's own `matches` accepts files its fields do not declare"


def test_an_image_without_their_files_never_imports_most_analyzers() -> None:
    """The point of deferring: a Debian tree with no jars, locks or rpm database loads neither
    the zip reader's analyzer nor the rpm database readers (a fresh interpreter tells)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hullguard.analyzers import ANALYZERS\n"
        "from hullguard.analyzers.run import analyze_tree\n"
        "from hullguard.sources.rootfs import DirTree\n"
        "import pathlib, tempfile\n"
        "root = pathlib.Path(tempfile.mkdtemp())\n"
        "(root / 'etc').mkdir(); (root / 'etc/os-release').write_text('ID=debian\\nVERSION_ID=12\\n')\n"
        "inventory, _ = analyze_tree(DirTree(root), ANALYZERS)\n"
        "assert inventory.os is not None and inventory.os.family == 'debian', inventory\n"
        "print(sorted(m for m in sys.modules if m.startswith('hullguard.analyzers.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for module in ("java", "rpm", "rpmdb", "requirements", "yarn", "ruby", "apk"):
        assert f"'hullguard.analyzers.{module}'" not in out, out
    assert "'hullguard.analyzers.os_release'" in out
