"""Realistic fake credentials, generated: the right alphabet, length and checksum, never real.

`expand("ghp_<<alnum:36>>", rng)` fills each `<<ALPHABET:N>>` with N random characters;
`<<github:PREFIX>>` makes a GitHub-format token (30 random base62 characters and the CRC32
checksum in 6 base62 digits), `<<jwt:0>>` a signed-looking JWT, `<<basicauth:0>>` base64 of
`user:password`, `<<uuid:0>>` a random UUID.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import zlib

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "hex": "0123456789abcdefABCDEF",
    "lowerhex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "upper": string.ascii_uppercase,
    "lower": string.ascii_lowercase,
    "digits": string.digits,
    "b64": string.ascii_letters + string.digits + "+/",
    "b64url": string.ascii_letters + string.digits + "-_",
    "b32": string.ascii_uppercase + "234567",
    "lower32": string.ascii_lowercase + "234567",
    "upperalnum": string.ascii_uppercase + string.digits,
    "loweralnum": string.ascii_lowercase + string.digits,
    "bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
    "lowerbech32": "qpzry9x8gf2tvdw0s3jn54khce6mua7l",
}
PLACEHOLDER = re.compile(r"<<(\w+):(\w+)>>")


def random_string(alphabet: str, n: int, rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABETS[alphabet]) for _ in range(n))


def base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def github_token(prefix: str, rng: random.Random) -> str:
    body = random_string("alnum", 30, rng)
    return f"{prefix}_{body}{base62(zlib.crc32(body.encode()), 6)}"


def jwt(rng: random.Random) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    header = part({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    claims = part({"sub": random_string("digits", 8, rng), "iat": 1700000000 + rng.randrange(10**6)})
    return f"{header}.{claims}.{random_string('b64url', 43, rng)}"


def basic_auth(rng: random.Random) -> str:
    pair = f"{random_string('lower', 6, rng)}:{random_string('alnum', 18, rng)}"
    return base64.b64encode(pair.encode()).decode()


def uuid(rng: random.Random) -> str:
    h = random_string("lowerhex", 32, rng)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def expand(template: str, rng: random.Random) -> str:
    def fill(m: re.Match[str]) -> str:
        kind, arg = m.group(1), m.group(2)
        if kind == "github":
            return github_token(arg, rng)
        if kind == "jwt":
            return jwt(rng)
        if kind == "basicauth":
            return basic_auth(rng)
        if kind == "uuid":
            return uuid(rng)
        return random_string(kind, int(arg), rng)

    return PLACEHOLDER.sub(fill, template)
