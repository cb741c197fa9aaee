"""Optional features and the extra that installs each: a missing one is a one-line message.

`pip install hullguard` brings what scanning needs; signing, CEL policies, SPDX output and
`--fix` pull heavier libraries through extras (`hullguard[sign]`, ... or `[all]`)."""

from __future__ import annotations

from hullguard.errors import Error

EXTRAS: tuple[tuple[str, str, str], ...] = (
    ("sigstore", "sign", "signing and verification"),
    ("cryptography", "sign", "signing and verification"),
    ("nacl", "sign", "signing and verification"),
    ("celpy", "policy", "CEL policies (--policy)"),
    ("spdx_tools", "spdx", "SPDX output (--format spdx-json)"),
    ("ruamel", "fix", "--fix"),
    ("starlette", "admission", "the admission webhook"),
    ("uvicorn", "admission", "the admission webhook"),
    ("prometheus_client", "admission", "the admission webhook"),
    ("cel_expr_python", "admission", "the admission webhook's CEL"),
    ("re2", "admission", "the admission webhook's CEL"),
    ("kubernetes", "cluster", "reading a live cluster (--kubeconfig)"),
    ("fastapi", "server", "the monitoring service"),
    ("sqlalchemy", "server", "the monitoring service"),
    ("alembic", "server", "the monitoring service"),
    ("dramatiq", "server", "the monitoring service"),
    ("redis", "server", "the monitoring service"),
    ("psycopg", "server", "the monitoring service"),
)
"""Top-level module, the extra that installs it, the feature that needs it."""


class MissingExtra(Error):
    """A feature's optional dependencies are not installed."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the `{extra}` extra ({module} is not installed): "
            f"pip install 'hullguard[{extra}]'"
        )
        self.extra = extra


def missing_extra(error: ImportError) -> MissingExtra | None:
    """The MissingExtra an import failure means, or None when it is not an optional module."""
    top = (error.name or "").split(".")[0]
    for module, extra, feature in EXTRAS:
        if module == top:
            return MissingExtra(module, extra, feature)
    return None
