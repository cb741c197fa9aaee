"""`hullguard k8s scan|rbac|who-can|netpol`: a whole cluster from manifests, a dump or a live API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from hullguard.errors import UsageError
from hullguard.model import Issue

if TYPE_CHECKING:
    from hullguard.cluster.model import Cluster

NAME = "k8s"
HELP = "cluster security: RBAC who-can and escalation, NetworkPolicy reachability, posture"
NETPOL_FORMATS = ("txt", "json", "csv", "md", "dot")


class _Intermixed(argparse.ArgumentParser):
    """PATH may come after options (`who-can get pods -n ns PATH`): argparse needs intermixed parsing."""

    _inner = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._inner:
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hullguard: error: {message}\n")
        raise SystemExit(2)


def _input(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path", type=Path, nargs="?", help="file or folder of manifests, or `kubectl get -A -o json` output"
    )
    p.add_argument(
        "--kubeconfig", type=Path, help="read a live cluster (read-only list calls) instead of PATH"
    )
    p.add_argument("--context", help="kubeconfig context (default: its current-context)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from hullguard.cli.options import add_report_options

    sub = parser.add_subparsers(
        dest="k8s_command", metavar="SUBCOMMAND", required=True, parser_class=_Intermixed
    )
    scan = sub.add_parser(
        "scan", help="one report: workload rules and PSS, RBAC, NetworkPolicy, images, risk ranking"
    )
    _input(scan)
    add_report_options(scan, default_scanners="config")
    rbac = sub.add_parser("rbac", help="risky RBAC grants and privilege-escalation paths")
    _input(rbac)
    add_report_options(rbac, default_scanners="config")
    who = sub.add_parser("who-can", help="every subject allowed VERB on RESOURCE")
    who.add_argument("verb")
    who.add_argument(
        "resource", help="pods, pods/exec, deployments.apps, clusterroles.rbac.authorization.k8s.io, /healthz"
    )
    _input(who)
    who.add_argument("--namespace", "-n", help="only grants that hold in this namespace")
    who.add_argument("--format", "-f", choices=("table", "json"), default="table")
    net = sub.add_parser(
        "netpol", help="allowed connections between workloads (np-guard netpol-analyzer output)"
    )
    _input(net)
    net.add_argument("--format", "-o", choices=NETPOL_FORMATS, default="txt")
    net.add_argument("--exposure", action="store_true", help="add the exposure-analysis sections")
    for flag, text in (
        ("--focus-workload", "only connections of this workload (repeatable)"),
        ("--focus-workload-peer", "with --focus-workload: only to these (repeatable)"),
    ):
        net.add_argument(flag, action="append", default=[], metavar="NAME", help=text)
    net.add_argument(
        "--focus-direction", choices=("ingress", "egress"), help="with --focus-workload: in or out"
    )
    net.add_argument("--focus-conn", metavar="PROTO-PORT", help="only pairs allowing it, e.g. tcp-8080")
    net.add_argument(
        "--multiple-networks", action="store_true", help="model user-defined and Multus secondary networks"
    )
    net.add_argument("--output", type=Path, help="write to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    from hullguard.cluster.source import open_cluster

    if args.path is None and args.kubeconfig is None:
        raise UsageError("k8s: name a PATH of manifests or a dump, or --kubeconfig FILE")
    if args.k8s_command in ("who-can", "netpol"):
        rbac_kinds = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Namespace"})
        kinds = rbac_kinds if args.k8s_command == "who-can" else None
        cluster = open_cluster(args.path, args.kubeconfig, args.context, kinds)
        return _who_can(args, cluster) if args.k8s_command == "who-can" else _netpol(args, cluster)
    from hullguard.cli.options import emit, progress, scan_options
    from hullguard.pipeline import ClusterTarget, scan

    target = ClusterTarget(
        path=args.path, kubeconfig=args.kubeconfig, context=args.context, rbac_only=args.k8s_command == "rbac"
    )
    return emit(scan(target, scan_options(args), progress=progress(args)), args)


def _notes(issues: Sequence[Issue]) -> None:
    for i in issues:
        sys.stderr.write(f"hullguard: note: {i.path + ': ' if i.path else ''}{i.message}\n")


def _who_can(args: argparse.Namespace, cluster: Cluster) -> int:
    from hullguard.cluster.rbac.model import parse_rbac
    from hullguard.cluster.rbac.output import whocan_json, whocan_table
    from hullguard.cluster.rbac.resources import parse_resource
    from hullguard.cluster.rbac.whocan import who_can

    rbac = parse_rbac(cluster)
    want = parse_resource(args.resource, rbac.named_groups())
    grants = who_can(rbac, args.verb, want, args.namespace)
    issues = (*cluster.issues, *rbac.issues)
    if args.format == "json":
        json.dump(
            whocan_json(args.verb, want, args.namespace, grants, issues), sys.stdout, indent=2, sort_keys=True
        )
        sys.stdout.write("\n")
    else:
        whocan_table(args.verb, want, args.namespace, grants, sys.stdout)
        _notes(issues)
    return 0


def _netpol(args: argparse.Namespace, cluster: Cluster) -> int:
    from hullguard.cluster.netpol.analyze import analyze
    from hullguard.cluster.netpol.focus import Focus, parse_conn
    from hullguard.cluster.netpol.output import render

    conn = None
    if args.focus_conn:
        try:
            conn = parse_conn(args.focus_conn)
        except ValueError as e:
            raise UsageError(f"--focus-conn: {e}") from e
    focus = Focus(
        workloads=tuple(args.focus_workload),
        peers=tuple(args.focus_workload_peer),
        direction=args.focus_direction or "",
        conn=conn,
    )
    result = analyze(cluster, focus=focus, exposure=args.exposure, multiple_networks=args.multiple_networks)
    text = render(result, args.format)
    _notes((*cluster.issues, *result.issues))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
