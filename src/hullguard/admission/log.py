"""The tamper-evident decision log: JSON lines, each record carrying the SHA-256 of the one before.

A record's `hash` covers its canonical JSON (sorted keys, no `hash` field) including `prev`
and `seq`; editing a record breaks its hash, removing or reordering one breaks the next
record's `prev` or the run of `seq`. Truncating the tail is only visible against a head hash
kept elsewhere (`log verify --head`), which is why every append returns the new head.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hullguard.errors import Error

GENESIS = "0" * 64
MAX_RECORD = 1 << 20


class LogError(Error):
    """A decision log that cannot be read or appended to."""


def record_hash(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _last_line(path: Path) -> bytes | None:
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(max(0, end - MAX_RECORD))
        lines = f.read().rstrip(b"\n").split(b"\n")
    return lines[-1] if lines and lines[-1] else None


class DecisionLog:
    """Appends records to one file; resumes the chain of an existing file."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = path
        self.clock = clock
        self.lock = threading.Lock()
        self.head, self.seq = GENESIS, 0
        try:
            last = _last_line(path) if path.exists() else None
            if last is not None:
                record = json.loads(last)
                self.head, self.seq = str(record["hash"]), int(record["seq"]) + 1
            self.file = path.open("a", encoding="utf-8")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise LogError(f"{path}: cannot continue the decision log: {e}") from e

    def append(self, entry: dict[str, Any]) -> str:
        with self.lock:
            record = {**entry, "seq": self.seq, "time": self.clock().isoformat(), "prev": self.head}
            record["hash"] = record_hash(record)
            self.file.write(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
            self.file.flush()
            self.head, self.seq = record["hash"], self.seq + 1
            return self.head

    def close(self) -> None:
        self.file.close()


@dataclass(frozen=True, slots=True, kw_only=True)
class LogCheck:
    records: int
    head: str
    problems: tuple[str, ...]


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        with path.open("rb") as f:
            for number, line in enumerate(f, 1):
                try:
                    value = json.loads(line)
                except ValueError as e:
                    yield number, f"not JSON ({e})"
                    continue
                yield number, value if isinstance(value, dict) else "not a JSON object"
    except OSError as e:
        raise LogError(f"{path}: cannot read: {e.strerror}") from e


def verify_log(path: Path, head: str | None = None) -> LogCheck:
    """Every break in the chain, by line: an edited, removed, inserted or reordered record."""
    problems: list[str] = []
    prev, expected_seq, count = GENESIS, 0, 0
    for number, record in _records(path):
        count += 1
        if isinstance(record, str):
            problems.append(f"line {number}: {record}")
            continue
        if record.get("hash") != record_hash(record):
            problems.append(f"line {number}: record was edited (its hash does not match its content)")
        if record.get("prev") != prev:
            problems.append(f"line {number}: chain broken: a record before it was removed, edited or moved")
        if record.get("seq") != expected_seq:
            problems.append(f"line {number}: sequence {record.get('seq')} where {expected_seq} was expected")
        prev = str(record.get("hash"))
        expected_seq = record["seq"] + 1 if isinstance(record.get("seq"), int) else expected_seq + 1
    if head is not None and prev != head:
        problems.append(
            f"the last record's hash is {prev}, not the expected head {head}: records were cut off"
        )
    return LogCheck(records=count, head=prev, problems=tuple(problems))
