"""Container attribution from real cgroup path shapes (systemd and cgroupfs managers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.runtime.cgroups import CgroupMatch, match_cgroup, proc_cgroup

ID = "3ac3ea3298b88f2dc2d1a4a291370a5a93d0850111828a3401e2e6aa4cfc890d"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/system.slice/docker-{ID}.scope", ("docker", ID)),
        (f"/docker/{ID}", ("docker", ID)),
        (f"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1b2c3d_4e5f.slice/cri-containerd-{ID}.scope",
         ("containerd", ID)),
        (f"/kubepods/burstable/pod0f1b2c3d-4e5f-6789-abcd-ef0123456789/{ID}", ("containerd", ID)),
        (f"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podabc.slice/crio-{ID}.scope", ("cri-o", ID)),
        (f"/machine.slice/libpod-{ID}.scope", ("podman", ID)),
        (f"/libpod_parent/libpod-{ID}", ("podman", ID)),
        (f"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope", ("podman", ID)),
        (f"/machine.slice/libpod-{ID}.scope/container", ("podman", ID)),  # systemd inside the container
        (f"libpod-{ID}", ("podman", ID)),  # just the leaf, as the kernel program reports it
        (f"/crio/{ID}", ("cri-o", ID)),
        (f"/default/{ID}", ("unknown", ID)),
    ],
)
def test_container_paths(path: str, expected: tuple[str, str]) -> None:
    assert match_cgroup(path) == CgroupMatch(*expected)


@pytest.mark.parametrize(
    "path",
    ["/", "", "/user.slice/user-0.slice/session-3.scope", "/system.slice/sshd.service",
     f"/libpod_parent/libpod-conmon-{ID}", f"/machine.slice/libpod-conmon-{ID}.scope",
     f"/system.slice/crio-conmon-{ID}.scope", "/docker/not-an-id", "/process_api/6b99b59e106b0afcd5eb59b67ef2c530"],
)
def test_host_paths(path: str) -> None:
    assert match_cgroup(path) is None


def test_proc_cgroup_prefers_the_line_naming_a_container(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "cgroup").write_text(
        f"9:name=systemd:/libpod_parent/libpod-{ID}\n4:memory:/process_api/abc\n0::/\n")
    assert proc_cgroup(7, tmp_path) == f"/libpod_parent/libpod-{ID}"
    (tmp_path / "7" / "cgroup").write_text("0::/user.slice\n")
    assert proc_cgroup(7, tmp_path) == "/user.slice"
    assert proc_cgroup(8, tmp_path) is None
