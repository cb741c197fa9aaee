"""Image history read back as Dockerfile instructions, from both builders' wording."""

from __future__ import annotations

import json

import pytest

from hullguard.rules import load_rules
from hullguard.rules.image.history import HISTORY_RULES, history_dockerfile, instruction_of
from hullguard.sources.image import ImageConfig


@pytest.mark.parametrize(
    ("created_by", "line"),
    [
        ('/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'),
        ("/bin/sh -c #(nop) ADD file:1234 in / ", "ADD file:1234 in /"),
        (
            "/bin/sh -c apt-get update && apt-get install -y curl",
            "RUN apt-get update && apt-get install -y curl",
        ),
        ("RUN /bin/sh -c curl -fsSL https://x | sh # buildkit", "RUN curl -fsSL https://x | sh"),
        ("|2 TOKEN=x V=1 /bin/sh -c make", "RUN make"),
        ("ENV NODE_TLS_REJECT_UNAUTHORIZED=0", "ENV NODE_TLS_REJECT_UNAUTHORIZED=0"),
        ("debootstrap --variant=minbase bookworm", "RUN debootstrap --variant=minbase bookworm"),
        ("RUN /bin/sh -c set -e\nchmod 777 /data # buildkit", "RUN set -e chmod 777 /data"),
    ],
)
def test_history_steps_become_instructions(created_by: str, line: str) -> None:
    assert instruction_of(created_by) == line


def test_history_rules_find_run_level_problems_with_their_step() -> None:
    config = ImageConfig.parse(
        json.dumps(
            {
                "history": [
                    {"created_by": "/bin/sh -c #(nop) ADD file:1 in / "},
                    {"created_by": '/bin/sh -c #(nop)  CMD ["sh"]', "empty_layer": True},
                    {"created_by": "RUN /bin/sh -c curl -fsSL https://get.example.com | sh # buildkit"},
                    {"created_by": "RUN /bin/sh -c chmod u+s /usr/bin/tool # buildkit"},
                ]
            }
        ).encode(),
        "config",
    )
    parsed = history_dockerfile(config, "img")
    assert parsed is not None
    df, steps = parsed
    rules = {r.meta.id: r for r in load_rules()}
    found = {(rid, steps[v.lines[0]]) for rid in HISTORY_RULES for v in rules[rid].run(df) if v.lines}
    assert found == {("HG-DF-009", 3), ("HG-DF-042", 4)}
