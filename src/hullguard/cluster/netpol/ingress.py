"""What the ingress controller reaches: Ingress and Route objects to Services to the workloads they select,
on the TCP container ports the service targets, as far as the NetworkPolicies let it in."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.model import Cluster
from hullguard.cluster.netpol.conns import NONE, Conns
from hullguard.cluster.netpol.peers import Workload
from hullguard.rules.kubernetes.objects import obj, seq

CONTROLLER_NAMESPACE = "ingress-controller-ns"


@dataclass(frozen=True, slots=True, kw_only=True)
class IngressController(Workload):
    def __str__(self) -> str:
        return "{ingress-controller}"


CONTROLLER = IngressController(
    namespace=CONTROLLER_NAMESPACE, name="ingress-controller", kind="Pod", labels=(), ports=()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    namespace: str
    name: str
    selector: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, int, int | str | None], ...]
    """(name, port, targetPort) of each service port."""


def _services(cluster: Cluster) -> dict[tuple[str, str], Service]:
    found = {}
    for o in cluster.of_kind("Service"):
        spec = obj(o.raw.get("spec"))
        selector = obj(spec.get("selector"))
        if not selector:
            continue
        ports = tuple(
            (
                str(p.get("name") or ""),
                p["port"] if isinstance(p.get("port"), int) else 0,
                p.get("targetPort"),
            )
            for p in map(obj, seq(spec.get("ports")))
        )
        found[(o.namespace or "default", o.name)] = Service(
            namespace=o.namespace or "default",
            name=o.name,
            selector=tuple((str(k), str(v)) for k, v in selector.items()),
            ports=ports,
        )
    return found


def _backends(cluster: Cluster) -> list[tuple[str, str, int | str | None]]:
    """(namespace, service, port wanted or None) of every Route and Ingress backend."""
    out: list[tuple[str, str, int | str | None]] = []
    for o in cluster.of_kind("Route"):
        spec = obj(o.raw.get("spec"))
        port = obj(spec.get("port")).get("targetPort")
        for target in [obj(spec.get("to")), *map(obj, seq(spec.get("alternateBackends")))]:
            if str(target.get("kind") or "Service") == "Service" and target.get("name"):
                out.append((o.namespace or "default", str(target["name"]), port))
    for o in cluster.of_kind("Ingress"):
        spec = obj(o.raw.get("spec"))
        services = [obj(obj(spec.get("defaultBackend")).get("service"))]
        for rule in map(obj, seq(spec.get("rules"))):
            services += [
                obj(obj(obj(p).get("backend")).get("service"))
                for p in seq(obj(rule.get("http")).get("paths"))
            ]
        for svc in services:
            if svc.get("name"):
                port = obj(svc.get("port"))
                out.append(
                    (o.namespace or "default", str(svc["name"]), port.get("name") or port.get("number"))
                )
    return out


def _target_ports(service: Service, wanted: int | str | None) -> list[int | str]:
    ports: list[int | str] = []
    for name, port, target in service.ports:
        access = target if target not in (None, "", 0) else port
        if wanted in (None, "", 0):
            ports.append(access)
        elif (name and name == wanted) or port == wanted or target == wanted:
            return [access]
    return ports


def ingress_reach(cluster: Cluster, workloads: list[Workload]) -> dict[Workload, Conns]:
    """For each workload an Ingress or Route reaches: the TCP ports the controller may use (before policies)."""
    services = _services(cluster)
    backends = _backends(cluster)
    if not services or not backends:
        return {}
    reach: dict[Workload, Conns] = {}
    for namespace, name, wanted in backends:
        service = services.get((namespace, name))
        if service is None:
            continue
        for w in workloads:
            if w.namespace != namespace or not all(w.label_map.get(k) == v for k, v in service.selector):
                continue
            vm = w.kind == "VirtualMachine"  # a VM declares no ports: every TCP port counts as exposed
            tcp = {number for pname, proto, number in w.ports if proto == "TCP"}
            conns = NONE
            for port in _target_ports(service, wanted):
                if isinstance(port, str):
                    port = next((n for pname, proto, n in w.ports if pname == port and proto == "TCP"), -1)
                if port in tcp or (vm and isinstance(port, int) and port > 0):
                    conns = conns.union(Conns.of("TCP", int(port), int(port)))
            reach[w] = reach.get(w, NONE).union(conns)
    return reach
