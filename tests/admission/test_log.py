"""The tamper-evident decision log: written by a running webhook, checked by `admission log verify`."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hullguard.admission.log import GENESIS, DecisionLog, verify_log
from hullguard.cli.main import main
from tests.admission.conftest import run_webhook

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "busybox"}]}}  # fmt: skip


@pytest.fixture(scope="module")
def served_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("log")
    log = tmp / "decisions.jsonl"
    with run_webhook(tmp, "--pss", "baseline", "--log", str(log)) as hook:
        for n in range(5):
            hook.review(POD, uid=f"uid-{n}", namespace=f"ns{n}")
        with hook.client() as c:  # unusable input is logged too
            c.post("/validate", content=b"{not json", headers={"content-type": "application/json"})
    return log


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def test_every_decision_is_logged_and_the_chain_verifies(
    served_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [json.loads(line) for line in _lines(served_log)]
    assert [r["uid"] for r in records] == [*(f"uid-{n}" for n in range(5)), ""]
    assert records[-1]["verdict"] == "invalid" and "not JSON" in records[-1]["error"]
    assert records[0]["prev"] == GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(records))
    assert records[0]["verdict"] == "allow" and records[0]["subject"] == "Pod ns0/p"
    assert main(["admission", "log", "verify", str(served_log)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "file": str(served_log),
        "records": 6,
        "head": records[-1]["hash"],
        "intact": True,
        "problems": [],
    }


def _edit(lines: list[str]) -> list[str]:
    record = json.loads(lines[2])
    record["verdict"] = "deny"
    return [*lines[:2], json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n", *lines[3:]]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_edit, "line 3: record was edited"),
        (lambda lines: lines[:1] + lines[2:], "line 2: chain broken"),
        (lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], "line 2: chain broken"),
        (lambda lines: lines[1:], "line 1: chain broken"),
        (lambda lines: [*lines[:3], "{not json\n", *lines[3:]], "line 4: not JSON"),
    ],
    ids=["edited", "removed", "reordered", "head removed", "garbage inserted"],
)
def test_tampering_is_detected(
    served_log: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[list[str]], list[str]],
    said: str,
) -> None:
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(change(_lines(served_log))))
    assert main(["admission", "log", "verify", str(tampered)]) == 1
    captured = capsys.readouterr()
    assert said in captured.err
    assert json.loads(captured.out)["intact"] is False


def test_a_cut_tail_shows_against_the_kept_head(served_log: Path, tmp_path: Path) -> None:
    head = json.loads(_lines(served_log)[-1])["hash"]
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(_lines(served_log)[:-1]))
    assert verify_log(cut).problems == ()
    assert "records were cut off" in verify_log(cut, head).problems[0]


def test_a_restarted_log_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    clock = lambda: datetime(2026, 1, 1, tzinfo=UTC)  # noqa: E731
    first = DecisionLog(path, clock)
    first.append({"uid": "a"})
    first.close()
    second = DecisionLog(path, clock)
    head = second.append({"uid": "b"})
    second.close()
    check = verify_log(path, head)
    assert check.records == 2 and check.problems == ()
