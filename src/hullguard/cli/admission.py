"""`hullguard admission serve|test|manifests|log verify`: the admission webhook and its tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hullguard import __version__
from hullguard.admission.config import build_reviewer
from hullguard.cli.admission_args import add_policy_arguments, settings
from hullguard.cli.signing_args import print_json
from hullguard.errors import UsageError

NAME = "admission"
HELP = "admission webhook: serve, test a policy offline, print manifests, verify the decision log"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="run the HTTPS webhook")
    serve.add_argument("--listen", default="0.0.0.0:8443", help="HOST:PORT (default 0.0.0.0:8443)")
    serve.add_argument("--tls-cert", type=Path, required=True, help="PEM certificate (reloaded on change)")
    serve.add_argument("--tls-key", type=Path, required=True, help="PEM private key")
    serve.add_argument("--log", type=Path, help="append every decision to this tamper-evident log")
    add_policy_arguments(serve)
    test = sub.add_parser("test", help="judge OBJECT with POLICY offline and print the verdict")
    test.add_argument(
        "policy_file", type=Path, metavar="POLICY", help="ValidatingAdmissionPolicy (+ bindings, params) YAML"
    )
    test.add_argument("object", type=Path, help="the object under review (YAML or JSON)")
    test.add_argument("--old-object", type=Path, help="the previous object (makes the operation UPDATE)")
    test.add_argument("--operation", choices=("CREATE", "UPDATE", "DELETE", "CONNECT"))
    test.add_argument("--namespace", help="namespace of the request (default: the object's)")
    test.add_argument("--user", default="admin",
                      help="request.userInfo.username (a service account: system:serviceaccount:NS:NAME)")  # fmt: skip
    test.add_argument("--group", action="append", default=[], metavar="GROUP",
                      help="request.userInfo.groups, besides system:authenticated (repeatable)")  # fmt: skip
    add_policy_arguments(test)
    manifests = sub.add_parser("manifests", help="print the webhook's Kubernetes manifests")
    manifests.add_argument("--namespace", default="hullguard", help="namespace to run the webhook in")
    manifests.add_argument(
        "--image", default=f"ghcr.io/hullguard/hullguard:{__version__}", help="webhook image"
    )
    manifests.add_argument("--cert-manager", action="store_true", help="a cert-manager Certificate, no key")
    manifests.add_argument("--failure-policy", choices=("Fail", "Ignore"), default="Fail")
    manifests.add_argument("--replicas", type=int, default=2)
    add_policy_arguments(manifests)
    log = sub.add_parser("log", help="work with the decision log")
    log_sub = log.add_subparsers(dest="log_action", metavar="ACTION", required=True)
    verify = log_sub.add_parser("verify", help="check the hash chain of a decision log")
    verify.add_argument("file", type=Path)
    verify.add_argument("--head", help="the hash the last record must have (kept elsewhere)")


def _manifests(args: argparse.Namespace) -> str:
    from hullguard.admission.manifests import MOUNT, STATE, Options, build_manifests, read_files, render

    files: dict[str, Path] = {}

    def mounted(path: Path) -> str:
        name = f"{len(files)}-{path.name}"
        files[name] = path
        return f"{MOUNT}/{name}"

    serve: list[str] = ["--config", mounted(args.config)] if args.config else []
    if args.namespaces:
        serve += ["--namespaces", mounted(args.namespaces)]
    for flag in ("pss", "pss_version", "rules", "min_severity", "mode", "max_severity", "unknown_images"):
        if getattr(args, flag):
            serve += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    serve += [a for ns in args.exempt_namespace for a in ("--exempt-namespace", ns)]
    serve += [a for p in args.policy for a in ("--policy", mounted(p))]
    serve += [a for p in args.rbac for a in ("--rbac", mounted(p))]
    serve += [a for r in args.allow_registry for a in ("--allow-registry", r)]
    if args.scan_store:
        serve += ["--scan-store", f"{STATE}/scans"]
    if args.require_signature:
        serve += ["--require-signature", "--key", mounted(args.key)]
    if args.insecure_registry:
        serve.append("--insecure-registry")
    try:
        contents = read_files(files)
    except OSError as e:
        raise UsageError(f"{e.filename}: cannot read: {e.strerror}") from e
    options = Options(namespace=args.namespace, image=args.image, replicas=args.replicas,
                      failure_policy=args.failure_policy, cert_manager=args.cert_manager,
                      serve_args=tuple(serve), files=contents)  # fmt: skip
    return render(build_manifests(options))


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        sys.stderr.write(f"hullguard: warning: {warning}\n")


def run(args: argparse.Namespace) -> int:
    if args.action == "log":
        from hullguard.admission.log import verify_log

        check = verify_log(args.file, args.head)
        for problem in check.problems:
            sys.stderr.write(f"hullguard: {args.file}: {problem}\n")
        print_json({"file": str(args.file), "records": check.records, "head": check.head,
                    "intact": not check.problems, "problems": list(check.problems)})  # fmt: skip
        return 1 if check.problems else 0
    if args.action == "manifests":
        build_reviewer(settings(args))  # a policy that would not load is refused now, not in the cluster
        sys.stdout.write(_manifests(args))
        return 0
    chosen = settings(args)
    if args.action == "test":
        from hullguard.admission.offline import judge, read_object

        result, warnings = judge(
            chosen,
            args.policy_file,
            read_object(args.object),
            old_object=read_object(args.old_object) if args.old_object else None,
            operation=args.operation,
            namespace=args.namespace,
            username=args.user,
            groups=tuple(args.group),
        )
        _warn(warnings)
        print_json(result)
        return 0 if result["response"]["allowed"] else 1
    from hullguard.admission.app import create_app
    from hullguard.admission.live import LiveReviewer
    from hullguard.admission.log import DecisionLog
    from hullguard.admission.server import serve

    watched = tuple(p for p in (args.config, args.namespaces, *chosen.vap_files, *chosen.rbac.files) if p is not None)
    live = LiveReviewer(lambda: build_reviewer(settings(args)), watched)
    reviewer = live.current
    _warn(reviewer.warnings)
    log = DecisionLog(chosen.log) if chosen.log else None
    sys.stderr.write(f"hullguard: admission webhook on https://{args.listen} "
                     f"({len(reviewer.validators)} validating, {len(reviewer.mutators)} mutating policies)\n")  # fmt: skip
    try:
        serve(create_app(live, log), args.listen, args.tls_cert, args.tls_key, checks=(live.check,))
    finally:
        if log is not None:
            log.close()
    return 0
