"""The policy options of `admission serve|test|manifests`, and the settings they make with a --config file."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from hullguard.admission.config import Settings, live_namespaces, read_namespaces, read_settings
from hullguard.admission.decision import Mode
from hullguard.admission.rbac import RbacInput
from hullguard.cli.keyless_args import add_matching_arguments
from hullguard.errors import UsageError
from hullguard.model import Severity
from hullguard.rules.kubernetes import pss
from hullguard.signing.identity_match import GITHUB_WORKFLOW

KEYLESS = {"certificate_identity": "certificateIdentity", "certificate_oidc_issuer": "certificateOidcIssuer",
           "certificate_identity_regexp": "certificateIdentityRegexp",
           "certificate_oidc_issuer_regexp": "certificateOidcIssuerRegexp"}  # fmt: skip


def add_policy_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="webhook configuration file (YAML); flags override it")
    p.add_argument("--pss", choices=(pss.BASELINE, pss.RESTRICTED), help="enforce this Pod Security level")
    p.add_argument("--pss-version", help=f"PSS policy version v1.N or latest (v1.{pss.NEWEST_MINOR})")
    p.add_argument("--rules", help="configuration rule ids to enforce, comma-separated")
    p.add_argument("--min-severity", help="enforce every configuration rule at or above this severity")
    p.add_argument("--mode", choices=("enforce", "warn", "audit"), help="what a violation does (enforce)")
    p.add_argument("--exempt-namespace", action="append", default=[], metavar="NS", help="never review NS")
    p.add_argument("--namespaces", type=Path, metavar="FILE",
                   help="Namespace objects (kubectl get namespaces -o yaml): PSS labels, selectors, namespaceObject")  # fmt: skip
    p.add_argument("--kubeconfig", type=Path, metavar="FILE",
                   help="list the Namespace objects from this cluster at start (read-only; needs hullguard[cluster])")  # fmt: skip
    p.add_argument("--context", help="kubeconfig context (default: its current-context)")
    p.add_argument("--rbac", action="extend", nargs="+", type=Path, default=[], metavar="FILE",
                   help="Role/ClusterRole/RoleBinding/ClusterRoleBinding manifests or Lists for CEL's "
                        "`authorizer` (with --kubeconfig, the cluster's are read too)")  # fmt: skip
    p.add_argument(
        "--policy", action="append", type=Path, default=[], help="ValidatingAdmissionPolicy file (repeatable)"
    )
    p.add_argument(
        "--require-signature", action="store_true", help="admit only signed images (--key or keyless)"
    )
    p.add_argument("--key", type=Path, help="cosign public key for --require-signature")
    p.add_argument("--allow-registry", action="append", default=[], metavar="HOST[/PATH]",
                   help="admit images only from these registries (repeatable)")  # fmt: skip
    p.add_argument("--max-severity", help="refuse images whose latest stored scan has findings above this")
    p.add_argument("--unknown-images", choices=("allow", "deny", "scan"), help="images with no stored scan")
    p.add_argument("--scan-store", type=Path, help="folder of hullguard JSON image reports (--max-severity)")
    p.add_argument("--insecure-registry", action="store_true", help="plain HTTP or unverified TLS registries")
    p.add_argument("--registry-username", help="registry user (password from HULLGUARD_PASSWORD)")
    p.add_argument("--registry-ca-cert", type=Path, help="PEM CA certificates to trust for registries")
    p.add_argument("--certificate-identity", help="keyless --require-signature: the signer's identity (SAN)")
    p.add_argument("--certificate-oidc-issuer", help="keyless --require-signature: the OIDC issuer")
    add_matching_arguments(p)
    p.add_argument(
        "--trusted-root", type=Path, help="keyless: a Sigstore trusted_root.json (default: embedded)"
    )


def settings(args: argparse.Namespace) -> Settings:
    base = read_settings(args.config) if args.config else Settings()
    changes: dict[str, object] = {}
    try:
        if args.pss:
            changes["pss_level"] = args.pss
        if args.pss_version:
            changes["pss_minor"] = pss.parse_version(args.pss_version)
        if args.rules:
            changes["rule_ids"] = tuple(r.strip() for r in args.rules.split(",") if r.strip())
        if args.min_severity:
            changes["min_severity"] = Severity.parse(args.min_severity)
    except ValueError as e:
        raise UsageError(str(e)) from e
    if args.mode:
        changes["mode"] = Mode(args.mode)
    if args.namespaces or args.kubeconfig:
        live = live_namespaces(args.kubeconfig, args.context) if args.kubeconfig else {}
        changes["namespaces"] = {**base.namespaces, **live, **(read_namespaces(args.namespaces) if args.namespaces else {})}
    if args.rbac or args.kubeconfig:
        rbac = base.rbac
        changes["rbac"] = RbacInput(files=(*rbac.files, *args.rbac), kubeconfig=args.kubeconfig or rbac.kubeconfig,
                                    context=args.context or rbac.context)  # fmt: skip
    if args.exempt_namespace:
        changes["exempt_namespaces"] = base.exempt_namespaces | frozenset(args.exempt_namespace)
    if args.policy:
        changes["vap_files"] = (*base.vap_files, *args.policy)
    images = dict(base.images)
    if args.require_signature:
        keyless: dict[str, object] = {key: getattr(args, f) for f, key in KEYLESS.items() if getattr(args, f)}
        workflow = {f: v for f in GITHUB_WORKFLOW if (v := getattr(args, f"certificate_github_workflow_{f}"))}
        if workflow:
            keyless["githubWorkflow"] = workflow
        if not args.key and not keyless:
            raise UsageError("--require-signature needs --key cosign.pub, or --certificate-identity[-regexp] "
                             "and --certificate-oidc-issuer[-regexp]")  # fmt: skip
        if args.key and keyless:
            raise UsageError("give --key, or the keyless options, not both")
        images.update(requireSignature=True, **({"key": str(args.key)} if args.key else keyless))
        if args.trusted_root:
            images["trustedRoot"] = str(args.trusted_root)
    for flag, key in (("allow_registry", "allowRegistries"),):
        if getattr(args, flag):
            images[key] = list(getattr(args, flag))
    for flag, key in (("max_severity", "maxSeverity"), ("unknown_images", "unknownImages")):
        if getattr(args, flag):
            images[key] = getattr(args, flag)
    if args.scan_store:
        images["scanStore"] = str(args.scan_store)
    if args.registry_username:
        images["username"] = args.registry_username
    if args.insecure_registry:
        images["insecure"] = True
    if args.registry_ca_cert:
        images["caCert"] = str(args.registry_ca_cert)
    changes["images"] = images
    if getattr(args, "log", None):
        changes["log"] = args.log
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
