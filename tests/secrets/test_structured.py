"""Which manifests are parsed for Secret data and env pairs, and what comes out of them."""

from __future__ import annotations

import base64

import pytest

from hullguard.secrets import structured
from hullguard.secrets.structured import manifest_extras

POD = b"""apiVersion: v1
kind: Pod
spec:
  containers:
  - name: app
    env:
    - name: DB_PASSWORD
      value: "s3cr3t-value"
    - name: BLOCK
      value: |
        line one
"""
SECRET = b"apiVersion: v1\nkind: Secret\ndata:\n  token: " + base64.b64encode(b"abc123") + b"\n"
CRD = b"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  versions:
  - schema:
      openAPIV3Schema:
        properties:
          env:
            items:
              properties:
                name:
                  type: string
                value:
                  description: The variable's value.
                  type: string
"""
CRD_JSON = b'{"kind": "CustomResourceDefinition", "spec": {"env": {"value": {"type": "string"}}}}'


def test_env_pairs_and_secret_data_are_read() -> None:
    extras = [(e.path, e.text, e.line) for e in manifest_extras("pod.yaml", POD)]
    assert ("pod.yaml", b"DB_PASSWORD=s3cr3t-value", 8) in extras
    assert any(text.startswith(b"BLOCK=line one") for _, text, _ in extras)
    assert [e.text for e in manifest_extras("s.yaml", SECRET)] == [b"token=abc123"]


@pytest.mark.parametrize(("name", "data"), [("crd.yaml", CRD), ("crd.json", CRD_JSON)])
def test_a_schema_naming_env_and_value_is_not_parsed(
    name: str, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRD names `env` and `value` as properties, each opening a mapping: no env entry can be
    there, and parsing the large ones cost most of a manifest tree's scan."""
    import yaml

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{name} was parsed")

    monkeypatch.setattr(yaml, "load_all", refuse)
    assert list(manifest_extras(name, data)) == []
    assert structured.VALUE_ON_ITS_LINE.search(POD)
