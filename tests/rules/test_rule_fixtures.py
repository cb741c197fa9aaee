"""Every rule against its pass/ and fail/ fixtures; meta-tests keep the registry and fixtures complete."""

from __future__ import annotations

import dataclasses
import json
import pkgutil
from datetime import date
from pathlib import Path

import pytest

import hullguard.rules as rules_pkg
from hullguard.model import OS
from hullguard.rules import MODULES, checks_of, load_rules
from hullguard.rules.base import Rule, Target, Violation
from hullguard.rules.catalogue import CatalogueError, parse_catalogue
from hullguard.rules.compose.project import load_services
from hullguard.rules.dockerfile.parse import parse_dockerfile
from hullguard.rules.image.config import ImageFacts
from hullguard.rules.kubernetes.objects import iter_objects, manifest_context
from hullguard.rules.kubernetes.yamldoc import load_documents
from hullguard.sources.image import ImageConfig

FIXTURES = Path(__file__).parent
RULES = {r.meta.id: r for r in load_rules()}


def violations(rule: Rule, file: Path) -> list[Violation]:
    text = file.read_text()
    match rule.meta.target:
        case Target.DOCKERFILE:
            df = parse_dockerfile(text, file.name, dockerignore=(file.parent / ".dockerignore").exists())
            return list(rule.run(df))
        case Target.KUBERNETES:
            objs = [o for doc in load_documents(text, file.name) for o in iter_objects(doc, file.name)]
            ctx = manifest_context(objs, pss_version=37)
            return [v for o in objs for v in rule.run(dataclasses.replace(o, context=ctx))]
        case Target.COMPOSE:
            return [
                v
                for doc in load_documents(text, file.name)
                for s in load_services(doc, file, file.name, FIXTURES)[0]
                for v in rule.run(s)
            ]
        case Target.IMAGE:
            data = json.loads(text)
            os_ = data["os"]
            facts = ImageFacts(
                name="fixture",
                config=ImageConfig.parse(json.dumps(data["config"]).encode(), file.name),
                os=OS(
                    family=os_["family"],
                    version=os_["version"],
                    eol=os_["eol"],
                    eol_date=date.fromisoformat(os_["eol_date"]) if "eol_date" in os_ else None,
                ),
                setid_files=tuple((p, m) for p, m in data["setid_files"]),
            )
            return list(rule.run(facts))


def cases() -> list[tuple[str, str, Path]]:
    found = []
    for target_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("__")):
        for rule_dir in sorted(target_dir.iterdir()):
            for verdict in ("pass", "fail"):
                for file in sorted((rule_dir / verdict).glob("*")):
                    if file.name != ".dockerignore" and not file.name.endswith(".env"):
                        found.append((rule_dir.name, verdict, file))
    return found


@pytest.mark.parametrize(
    ("rule_id", "verdict", "file"), cases(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_rule_fixture(rule_id: str, verdict: str, file: Path) -> None:
    rule = RULES[rule_id]
    assert file.parent.parent.parent.name == rule.meta.target.value
    found = violations(rule, file)
    if verdict == "pass":
        assert found == [], f"{rule_id} should pass {file}: {found}"
    else:
        assert found, f"{rule_id} should fail {file}"
        assert all(
            v.lines is not None or v.node is not None or rule.meta.target is Target.IMAGE for v in found
        )


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    missing = [
        f"{r.meta.target.value}/{r.meta.id}/{verdict}"
        for r in load_rules()
        for verdict in ("pass", "fail")
        if not any(
            f.name != ".dockerignore" and not f.name.endswith(".env")
            for f in (FIXTURES / r.meta.target.value / r.meta.id / verdict).glob("*")
        )
    ]
    assert missing == []


def test_every_fixture_folder_names_a_rule() -> None:
    strays = [d.name for _, _, f in cases() for d in (f.parent.parent,) if d.name not in RULES]
    assert strays == []


def test_every_rule_module_is_registered() -> None:
    registered = {m.__name__ for m in MODULES}
    modules = {
        info.name
        for info in pkgutil.walk_packages(rules_pkg.__path__, prefix="hullguard.rules.")
        if "RULES" in vars(__import__(info.name, fromlist=["RULES"]))
    }
    assert modules == registered


def test_every_check_is_in_its_module_rules_tuple() -> None:
    listed = {c.id for c in checks_of(MODULES)}
    assert len(listed) == len(checks_of(MODULES))
    assert listed == set(RULES)


def test_counts_meet_the_issue() -> None:
    by_target = {t: sum(1 for r in load_rules() if r.meta.target is t) for t in Target}
    assert by_target[Target.DOCKERFILE] >= 30
    assert by_target[Target.KUBERNETES] >= 40
    assert by_target[Target.IMAGE] >= 6
    assert by_target[Target.COMPOSE] >= 7


def test_duplicate_catalogue_ids_fail_at_load() -> None:
    entry = "- {id: X-1, target: dockerfile, title: t, severity: LOW, rationale: r, remediation: m}\n"
    with pytest.raises(CatalogueError, match="defined twice"):
        parse_catalogue(entry * 2)
