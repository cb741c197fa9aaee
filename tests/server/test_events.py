"""Registry notification envelopes, as distribution 2.8 sends them (recorded from the test registry)."""

from __future__ import annotations

import pytest

from hullguard.server.events import EventError, parse_envelope

DIGEST = "sha256:" + "ab" * 32
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _event(action: str = "push", media: str = MANIFEST, **target: object) -> dict[str, object]:
    return {"id": "e1", "timestamp": "2026-12-06T10:00:00Z", "action": action,
            "target": {"mediaType": media, "digest": DIGEST, "repository": "team/app", "size": 708,
                       "url": f"http://127.0.0.1:5000/v2/team/app/manifests/{DIGEST}", **target},
            "request": {"id": "r1", "addr": "127.0.0.1:40000", "host": "127.0.0.1:5000", "method": "PUT"},
            "actor": {}, "source": {"addr": "host:5000", "instanceID": "i1"}}


def test_manifest_pushes_are_scanned_blob_pushes_pulls_and_signatures_are_not() -> None:
    envelope = {"events": [
        _event(tag="1.0"),
        _event(media="application/octet-stream"),
        _event(action="pull", tag="1.0"),
        _event(tag=f"sha256-{'ab' * 32}.sig"),
    ]}
    pushes, ignored = parse_envelope(envelope)
    assert [(p.target, p.ref) for p in pushes] == [
        (f"127.0.0.1:5000/team/app@{DIGEST}", "127.0.0.1:5000/team/app:1.0")]
    assert ignored == 3


@pytest.mark.parametrize(("envelope", "says"), [
    ([], '"events" list'),
    ({"events": [1]}, "events[0]: expected an object"),
    ({"events": [{"action": "push"}]}, 'events[0]: expected a "target"'),
    ({"events": [_event(digest="sha256:xyz")]}, "events[0].target.digest"),
    ({"events": [_event(repository="../etc")]}, "events[0].target.repository"),
    ({"events": [_event(tag="a b")]}, "events[0].target.tag"),
    ({"events": [_event(url="file:///x")]}, None),
    ({"events": [_event()] * 1001}, "at most 1000"),
])
def test_malformed_envelopes_name_what_is_wrong(envelope: object, says: str | None) -> None:
    if says is None:  # no host in the URL: the request's host is used instead
        assert parse_envelope(envelope)[0][0].host == "127.0.0.1:5000"
        return
    with pytest.raises(EventError, match=says.replace("[", r"\[").replace("]", r"\]")):
        parse_envelope(envelope)
