"""The principal an AdmissionReview's userInfo stands for: the groups its authenticator adds."""

from __future__ import annotations

from hullguard.cluster.rbac.authorize import Principal, principal_of, service_account


def test_users_service_accounts_and_anonymous_get_their_implied_groups() -> None:
    assert principal_of({"username": "alice", "groups": ["dev"]}) == Principal(
        name="alice", groups=("dev", "system:authenticated")
    )
    assert principal_of({"username": "system:serviceaccount:ci:builder"}).groups == (
        "system:authenticated", "system:serviceaccounts", "system:serviceaccounts:ci",
    )  # fmt: skip
    assert principal_of({"username": "system:anonymous"}).groups == ("system:unauthenticated",)
    assert principal_of({"groups": "not-a-list"}) == Principal(name="", groups=("system:authenticated",))
    assert service_account("ci", "builder").groups == ("system:serviceaccounts", "system:serviceaccounts:ci")
