"""Free text from an image (history, commands) comes out with its secrets redacted, the rest intact."""

from __future__ import annotations

import random

from hullguard.secrets.scrub import scrub
from tests.support.fake_secrets import github_token


def test_scrub_redacts_build_arguments_and_keeps_the_command() -> None:
    token = github_token("npm", random.Random(3))
    text = f"|1 NPM_TOKEN={token} /bin/sh -c npm ci"
    clean = scrub(text)
    assert token not in clean
    assert clean.startswith("|1 NPM_TOKEN=npm_")
    assert clean.endswith(f"{token[-4:]} /bin/sh -c npm ci")
    assert scrub("/bin/sh -c apt-get install -y curl") == "/bin/sh -c apt-get install -y curl"
