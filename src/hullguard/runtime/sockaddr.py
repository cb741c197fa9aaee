"""`struct sockaddr` bytes read by the kernel program, decoded to a family and an address."""

from __future__ import annotations

import ipaddress
import socket
import struct

from hullguard.runtime.event import IPAddress


def parse_sockaddr(raw: bytes | None) -> tuple[str, tuple[IPAddress, int] | None, str | None]:
    """(family, (ip, port) for inet, path for unix); family is `""` when unreadable."""
    if not raw or len(raw) < 2:
        return "", None, None
    family = struct.unpack_from("<H", raw)[0]
    if family == socket.AF_INET and len(raw) >= 8:
        port = struct.unpack_from(">H", raw, 2)[0]
        return "ipv4", (ipaddress.IPv4Address(raw[4:8]), port), None
    if family == socket.AF_INET6 and len(raw) >= 24:
        port = struct.unpack_from(">H", raw, 2)[0]
        return "ipv6", (ipaddress.IPv6Address(raw[8:24]), port), None
    if family == socket.AF_UNIX:
        path = raw[2:].split(b"\0", 1)[0] if raw[2:3] != b"\0" else b"@" + raw[3:].split(b"\0", 1)[0]
        return "unix", None, path.decode("utf-8", "surrogateescape")
    return "", None, None


def endpoint(addr: tuple[IPAddress, int] | None) -> str:
    if addr is None:
        return ""
    ip, port = addr
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
