"""Learned profiles from observed events: seccomp JSON and a NetworkPolicy."""

from __future__ import annotations

from pathlib import Path

import yaml

from hullguard.runtime.event import Fd
from hullguard.runtime.learn import write_profiles
from hullguard.runtime.profile import Connections, network_policy, seccomp_profile, syscall_names
from tests.runtime.factory import CONTAINER, connect_event, make_event


def test_syscall_names_come_from_the_kernel_header() -> None:
    names = syscall_names()
    assert (names[0], names[59], names[257], names[42]) == ("read", "execve", "openat", "connect")


def test_seccomp_profile_allows_exactly_what_was_used() -> None:
    profile = seccomp_profile({0: 10, 257: 3, 42: 1}, {0: "read", 257: "openat", 42: "connect"})
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    (allowed,) = profile["syscalls"]
    assert allowed["action"] == "SCMP_ACT_ALLOW"
    assert allowed["names"] == ["connect", "execve", "exit", "exit_group", "openat", "read", "rt_sigreturn"]


def test_network_policy_from_connections(tmp_path: Path) -> None:
    seen = Connections()
    seen.add(connect_event("10.0.0.5", 5432))
    seen.add(connect_event("10.0.0.5", 5432))
    seen.add(connect_event("127.0.0.1", 9, res=-111))  # refused: still where it wanted to go
    accepted = make_event(type="accept4", res=5, fd=Fd(num=5, type="ipv4", client=connect_event("10.9.8.7", 1).fd.server,  # type: ignore[union-attr]
                                                      local_is_server=True, l4proto="tcp"))
    seen.add(accepted)
    seen.add(make_event(type="bind", res=0, fd=Fd(num=4, type="ipv4", server=connect_event("0.0.0.0", 8080).fd.server,  # type: ignore[union-attr]
                                                 local_is_server=True, l4proto="tcp")))
    seen.add(make_event())  # an open: not network
    policy = network_policy("web", {"app": "web"}, seen, namespace="shop")
    assert policy["metadata"] == {"name": "web-learned", "namespace": "shop"}
    assert policy["spec"]["podSelector"] == {"matchLabels": {"app": "web"}}
    assert policy["spec"]["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.0.0.5/32"}}], "ports": [{"protocol": "TCP", "port": 5432}]},
        {"to": [{"ipBlock": {"cidr": "127.0.0.1/32"}}], "ports": [{"protocol": "TCP", "port": 9}]},
    ]
    assert policy["spec"]["ingress"] == [
        {"from": [{"ipBlock": {"cidr": "10.9.8.7/32"}}], "ports": [{"protocol": "TCP", "port": 8080}]}]
    seccomp, netpol = write_profiles(CONTAINER, {0: 1}, seen, tmp_path)
    assert seccomp.name == "web.seccomp.json" and netpol.name == "web.networkpolicy.yaml"
    doc = yaml.safe_load(netpol.read_text())
    assert doc["kind"] == "NetworkPolicy" and doc["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert doc["metadata"]["namespace"] == "shop"
