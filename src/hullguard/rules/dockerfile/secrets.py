"""Dockerfile rules about credentials baked into the image or its history."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, parse_pairs
from hullguard.rules.secretnames import looks_secret

SECRET_FILES = re.compile(
    r"(^|/)(id_rsa|id_dsa|id_ecdsa|id_ed25519|\.env|\.netrc|\.npmrc|\.pypirc|\.git-credentials|credentials(\.json)?|"
    r"[^/]*\.(pem|key|p12|pfx|jks|kdbx)|\.aws/credentials|\.docker/config\.json|\.ssh/?)$",
    re.I,
)
TLS_OFF_ENV = {
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
    "PYTHONHTTPSVERIFY": "0",
    "GIT_SSL_NO_VERIFY": "*",
    "CURL_CA_BUNDLE": "",
    "REQUESTS_CA_BUNDLE": "",
    "NPM_CONFIG_STRICT_SSL": "false",
    "PIP_TRUSTED_HOST": "*",
}


@dockerfile_rule("HG-DF-014")
def secret_env(df: Dockerfile) -> Iterator[Violation]:
    for inst in (*df.all("ENV"), *df.all("ARG")):
        for name, value in parse_pairs(inst.keyword, inst.value):
            if looks_secret(name, value):
                yield Violation(
                    f"{inst.keyword} {name} holds a credential: it stays in the image config and history",
                    inst.lines,
                )


@dockerfile_rule("HG-DF-036")
def tls_off_env(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("ENV"):
        for name, value in parse_pairs("ENV", inst.value):
            want = TLS_OFF_ENV.get(name.upper())
            if want is not None and value is not None and (want == "*" or value.strip().lower() == want):
                yield Violation(
                    f"ENV {name}={value} turns off TLS certificate checks for everything in the image",
                    inst.lines,
                )


@dockerfile_rule("HG-DF-037")
def copy_secret_file(df: Dockerfile) -> Iterator[Violation]:
    for inst in (*df.all("COPY"), *df.all("ADD")):
        words = inst.words
        for source in words[:-1] if len(words) > 1 else ():
            if SECRET_FILES.search(source.rstrip("/")):
                yield Violation(
                    f"{inst.keyword} {source}: a credential file is baked into a layer", inst.lines
                )


RULES = (secret_env, tls_off_env, copy_secret_file)
