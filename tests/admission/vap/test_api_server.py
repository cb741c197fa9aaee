"""The API server's ValidatingAdmissionPolicy behaviour beyond the documented examples (api_server.yaml):
matchPolicy, the CEL cost budget, `authorizer`, and the libraries' values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.admission.vap.test_vap_conformance import _cases, check, run_case


@pytest.mark.parametrize("case", _cases("api_server.yaml"), ids=lambda c: c["name"])
def test_api_server_cases(case: dict[str, Any], tmp_path: Path) -> None:
    check(case, run_case(case, tmp_path))


@pytest.mark.parametrize("case", _cases("authorizer.yaml"), ids=lambda c: c["name"])
def test_authorizer_cases(case: dict[str, Any], tmp_path: Path) -> None:
    check(case, run_case(case, tmp_path))
