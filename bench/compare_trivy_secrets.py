"""hullguard beside Trivy 0.59 on the same trees and images: every finding only one tool made, with why.

    PYTHONPATH=. .venv/bin/python bench/compare_trivy_secrets.py [--shared ../shared/corpus]

Targets: the labelled corpus written as a tree (tests/fixtures/secrets/corpus.yaml), the real
manifests and Dockerfiles of ../shared/corpus, the secret-layers test image and the bookworm
demo image. Findings are paired when both tools report the same file within three lines
(they anchor some secrets differently, e.g. a GCP key file). Reasons come from the tables
below, written by reading both rule sets; anything not covered prints as UNEXPLAINED.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from secrets_support import Hit, hullguard_fs, hullguard_image, trivy, write_corpus_tree

# Trivy's built-in allow rules (paths it never reads for secrets), as documented by Trivy.
TRIVY_SKIPS = (
    ("tests", re.compile(r"(^(?i:test)|/test|-test|_test|\.test)")),
    ("examples", re.compile(r"example")),
    ("vendor", re.compile(r"/vendor/")),
    ("usr-dirs", re.compile(r"^usr/(?:share|include|lib)/")),
    ("locale-dir", re.compile(r"/locales?/")),
    ("markdown", re.compile(r"\.md$")),
    ("python", re.compile(r"^usr/local/lib/python[\d.]+/")),
)

ONLY_HULLGUARD = {
    "generic-env-secret": "Trivy 0.59 has no generic rule for NAME=value assignments of passwords/tokens",
    "generic-quoted-secret": "Trivy 0.59 has no generic rule for quoted password/secret/token literals",
    "generic-config-secret": "Trivy 0.59 has no generic rule for `key: value` secrets in config files",
    "url-credentials": "Trivy 0.59 has no rule for user:password@ in URLs",
    "postgres-connection-string": "Trivy 0.59 has no database connection-string rule",
    "mysql-connection-string": "Trivy 0.59 has no database connection-string rule",
    "mongodb-connection-string": "Trivy 0.59 has no database connection-string rule",
    "redis-connection-string": "Trivy 0.59 has no database connection-string rule",
    "jdbc-password": "Trivy 0.59 has no database connection-string rule",
    "ado-connection-string": "Trivy 0.59 has no database connection-string rule",
    "azure-storage-account-key": "Trivy 0.59 has no Azure storage key rule (or the key was base64 in a Secret)",
    "azure-shared-access-key": "Trivy 0.59 has no Service Bus / Event Hubs key rule",
    "azure-sas-token": "Trivy 0.59 has no SAS signature rule",
    "azure-ad-client-secret": "Trivy 0.59 has no Entra ID client-secret rule",
    "gcp-oauth-refresh-token": "Trivy 0.59 has no Google refresh-token rule",
    "gcp-service-account-key": "same key file: Trivy anchors on the `type` line, hullguard on private_key_id",
    "gitlab-pipeline-trigger-token": "Trivy 0.59 knows only glpat- GitLab tokens",
    "gitlab-runner-auth-token": "Trivy 0.59 knows only glpat- GitLab tokens",
    "gitlab-deploy-token": "Trivy 0.59 knows only glpat- GitLab tokens",
    "slack-app-token": "Trivy 0.59 has no xapp- (app-level) Slack rule",
    "stripe-restricted-key": "Trivy 0.59 has no rk_live_ rule",
    "stripe-webhook-secret": "Trivy 0.59 has no whsec_ rule",
    "stripe-secret-key": "Trivy's Stripe rule stops at 32 characters; current keys are longer",
    "twilio-auth-token": "Trivy 0.59 has only the SK… API key SID rule, not auth tokens",
    "mailgun-private-key": "Trivy's Mailgun rules need a quoted value after a `mailgun` key",
    "vault-batch-token": "Trivy 0.59 has no Vault batch-token rule",
    "square-access-token": "Trivy 0.59 has no Square rules",
    "square-oauth-secret": "Trivy 0.59 has no Square rules",
    "anthropic-api-key": "Trivy 0.59 has no Anthropic rule",
    "digitalocean-token": "Trivy 0.59 has no DigitalOcean rule",
    "private-key-putty": "Trivy's private-key rule needs PEM BEGIN/END lines; PuTTY keys have none",
    "docker-config-auth": "hullguard decodes config.json `auth` (base64 user:password); Trivy has no rule",
    "npmrc-auth-token": "Trivy 0.59 matches only npm_ tokens, not other registries' _authToken values",
    "npmrc-auth": "Trivy 0.59 has no rule for .npmrc _auth",
    "netrc-password": "Trivy 0.59 has no .netrc rule",
    "kubeconfig-client-key": "the key is base64 (client-key-data); Trivy only sees PEM text",
    "kubeconfig-token": "Trivy 0.59 has no kubeconfig rule",
    "jwt": "Trivy's JWT rule is narrower in context (needs a word boundary it did not find)",
    "openai-api-key": "Trivy 0.59's OpenAI rule covers only the legacy sk-…T3BlbkFJ… layout",
    "dockerhub-pat": "Trivy 0.59 has no dckr_pat_ rule (its Docker rule reads .dockerconfigjson only)",
    "gcp-api-key": "Trivy 0.59 has no AIza… Google API key rule",
    "gcp-oauth-client-secret": "Trivy 0.59 has no GOCSPX- client-secret rule",
    "vault-service-token": "Trivy 0.59 has no Vault token rule (HashiCorp: only Terraform atlasv1)",
    "vault-legacy-token": "Trivy 0.59 has no Vault token rule (HashiCorp: only Terraform atlasv1)",
    "mailgun-api-key": "Trivy's Mailgun rule needs a mailgun… key and a quoted value; this one is unquoted",
    "npm-access-token": "Trivy's npm rule needs the token in quotes; this one is unquoted",
    "huggingface-token": "same format; Trivy requires hf_ tokens of 34-40 alphanumerics",
}
ONLY_TRIVY = {
    "github-pat": "placeholder ghp_xxxx…: hullguard's allowlist drops runs of x",
    "stripe-publishable-token": "pk_live_/pk_test_ keys are public by design: hullguard has no rule",
    "jwt-token": "unsigned JWT (alg none, empty signature) holds no secret: hullguard requires a signature",
    "gcp-service-account": "same key file: Trivy anchors on the `type` line, hullguard on private_key_id",
    "private-key": "hullguard needs a base64 body of 64+ characters between BEGIN and END",
    "aws-access-key-id": "documented example key (EXAMPLE suffix): hullguard allowlists it",
}


def pair(ours: list[Hit], theirs: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """Findings without a partner in the same file within three lines."""
    left = list(theirs)
    alone: list[Hit] = []
    for hit in sorted(ours, key=lambda h: (h.path, h.line)):
        near = [t for t in left if t.path == hit.path and abs(t.line - hit.line) <= 3]
        partner = min(near, key=lambda t: abs(t.line - hit.line), default=None)
        if partner is None:
            alone.append(hit)
        else:
            left.remove(partner)
    return alone, left


def reason(hit: Hit) -> str:
    if hit.tool == "hullguard":
        for rule_id, pattern in TRIVY_SKIPS:
            if pattern.search(hit.path):
                return f"Trivy's built-in allow rule `{rule_id}` skips this path"
        if hit.path.startswith("image-config:"):
            return "image config (Env/history): Trivy reads it only with --image-config-scanners secret"
        return ONLY_HULLGUARD.get(hit.rule, "UNEXPLAINED")
    return ONLY_TRIVY.get(hit.rule, "UNEXPLAINED")


def compare(name: str, ours: list[Hit], theirs: list[Hit], seconds: tuple[float, float]) -> int:
    only_ours, only_theirs = pair(ours, theirs)
    print(
        f"\n## {name}\nhullguard {len(ours)} findings ({seconds[0]:.2f}s), Trivy {len(theirs)} ({seconds[1]:.2f}s); "
        f"{len(ours) - len(only_ours)} paired, {len(only_ours)} only hullguard, {len(only_theirs)} only Trivy"
    )
    unexplained = 0
    for tool, hits in (("only hullguard", only_ours), ("only Trivy", only_theirs)):
        groups: dict[tuple[str, str], list[Hit]] = defaultdict(list)
        for hit in hits:
            groups[(hit.rule, reason(hit))].append(hit)
        for (rule, why), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            unexplained += len(group) if why == "UNEXPLAINED" else 0
            where = ", ".join(f"{h.path}:{h.line}" for h in group[:2])
            print(f"- {tool} {len(group):>3} x {rule}: {why}  (e.g. {where})")
    return unexplained


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/corpus"))
    args = parser.parse_args()
    from tests.secrets.test_image import secret_recipe
    from tests.support import images

    unexplained = 0
    with tempfile.TemporaryDirectory(prefix="hg-secrets-cmp-") as tmp:
        tree = Path(tmp) / "tree"
        write_corpus_tree(tree)
        (h, th), (t, tt) = hullguard_fs(tree), trivy("fs", str(tree))
        unexplained += compare("labelled corpus as a tree (fs)", h, t, (th, tt))
    if args.shared.is_dir():
        (h, th), (t, tt) = hullguard_fs(args.shared), trivy("fs", str(args.shared))
        unexplained += compare(f"{args.shared} (fs, real manifests and Dockerfiles)", h, t, (th, tt))
    for label, recipe in (
        ("secret-layers image", secret_recipe()),
        ("bookworm demo image", images.demo_recipe()),
    ):
        archive = images.build(recipe).archive
        (h, th), (t, tt) = hullguard_image(archive), trivy("image", "--input", str(archive))
        unexplained += compare(f"{label} (image --input)", h, t, (th, tt))
    print(f"\n{unexplained} unexplained difference(s)")
    return 1 if unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
