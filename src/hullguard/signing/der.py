"""Just enough DER to tell PKCS#8 from SEC1 and to read PKCS#8 v2 Ed25519 keys."""

from __future__ import annotations

from hullguard.signing.errors import SigningError

ED25519_OID = bytes.fromhex("2b6570")


def read_tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """(tag, content, next position) of the element at `pos`; raises on truncated input."""
    if pos + 2 > len(data):
        raise SigningError("DER: truncated element")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise SigningError("DER: unsupported length encoding")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise SigningError("DER: element runs past the end of the data")
    return tag, data[pos : pos + length], pos + length


def children(content: bytes) -> list[tuple[int, bytes]]:
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(content):
        tag, value, pos = read_tlv(content, pos)
        items.append((tag, value))
    return items


def private_key_kind(der: bytes) -> str:
    """'pkcs8', 'sec1' or 'pkcs1' from the shape of the outer SEQUENCE."""
    tag, content, _ = read_tlv(der, 0)
    if tag != 0x30:
        raise SigningError("DER: a private key must be a SEQUENCE")
    parts = children(content)
    if len(parts) >= 3 and parts[0][0] == 0x02 and parts[1][0] == 0x30:
        return "pkcs8"
    if len(parts) >= 2 and parts[0][0] == 0x02 and parts[1][0] == 0x04:
        return "sec1"
    return "pkcs1"


def ed25519_seed(der: bytes) -> bytes | None:
    """The 32-byte seed of a PKCS#8 (v1 or v2, RFC 5958) Ed25519 key, else None."""
    _, content, _ = read_tlv(der, 0)
    parts = children(content)
    if len(parts) < 3 or parts[1][0] != 0x30 or parts[2][0] != 0x04:
        return None
    algorithm = children(parts[1][1])
    if not algorithm or algorithm[0] != (0x06, ED25519_OID):
        return None
    tag, seed, _ = read_tlv(parts[2][1], 0)
    return seed if tag == 0x04 and len(seed) == 32 else None
