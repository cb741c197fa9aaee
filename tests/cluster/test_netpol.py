"""`k8s netpol` end to end on a small shop, and the NetworkPolicy posture findings of `k8s scan`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.cluster.netpol.conns import ALL, Conns

SHOP = Path(__file__).parent / "fixtures" / "netpol"


def test_connections_named_ports_and_ip_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["k8s", "netpol", str(SHOP)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    # db admits only web, on the named port pg (5432); web may reach db and the internet minus 10/8
    assert "shop/web[Deployment] => shop/db[Deployment] : TCP 5432" in lines
    assert "0.0.0.0-9.255.255.255[External] => shop/db[Deployment] : All Connections" not in lines
    assert "shop/web[Deployment] => 11.0.0.0-255.255.255.255[External] : All Connections" in lines
    assert not any(line.startswith("shop/web[Deployment] => 10.0.0.0") for line in lines)
    assert "shop/db[Deployment] => shop/web[Deployment] : All Connections" in lines
    assert "NetworkPolicy shop/broken: invalid selector" in captured.err
    assert "shop.yaml:59: NetworkPolicy ghost/lost: namespace ghost does not exist" in captured.err


def test_focus_and_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "conns.json"
    assert (
        main(["k8s", "netpol", str(SHOP), "--focus-workload", "db", "-o", "json", "--output", str(out)]) == 0
    )
    rows = json.loads(out.read_text())
    assert rows and all("shop/db[Deployment]" in (r["src"], r["dst"]) for r in rows)
    assert main(["k8s", "netpol", str(SHOP), "--exposure"]) == 0
    text = capsys.readouterr().out
    assert "Exposure Analysis Result:" in text
    assert "shop/web[Deployment] is not protected on Ingress" in text


def test_scan_reports_netpol_posture(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["k8s", "scan", str(SHOP), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    found = {(f["id"], f["location"].get("object", {}).get("name")) for f in report["findings"]}
    assert ("HG-CL-030", "web") in found  # no ingress policy selects web
    assert ("HG-CL-030", "db") not in found
    assert ("HG-CL-031", "shop") in found
    assert ("HG-CL-032", "web-egress") in found
    assert ("HG-CL-033", "typo") in found


def test_scan_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["k8s", "rbac", str(Path(__file__).parent / "fixtures" / "escalation"), "--format", "sarif"])
        == 0
    )
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    chain = next(r for r in results if r["ruleId"] == "HG-CL-020")
    assert chain["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_conns_arithmetic_and_printing() -> None:
    tcp = Conns.of("TCP", 80, 90).union(Conns.of("TCP", 91, 100)).union(Conns.of("UDP", 53, 53))
    assert str(tcp) == "TCP 80-100,UDP 53"
    assert str(ALL.subtract(Conns.of("UDP", 53, 53))) == "SCTP 1-65535,TCP 1-65535,UDP 1-52,54-65535"
    assert str(tcp.intersect(Conns.of("TCP", 95, 200))) == "TCP 95-100"
    assert str(Conns.named("TCP", "http").union(Conns.of("TCP", 8080, 8080))) == "TCP 8080,http"
    assert str(ALL) == "All Connections" and str(Conns()) == "No Connections"
