"""A tiny real image for container tests: one static binary that waits, also installed as sshd."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.support import images

PAUSE_C = r"""
#include <signal.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
int main(void) { signal(SIGTERM, stop); signal(SIGINT, stop); for (;;) pause(); }
"""


# kube-proxy's config as kubeadm's kube-proxy ConfigMap holds it (abridged)
KUBE_PROXY_CONFIG = """\
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
bindAddress: 0.0.0.0
clientConnection:
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
metricsBindAddress: 0.0.0.0:10249
mode: iptables
"""


def missing() -> list[str]:
    return [t for t in ("gcc",) if shutil.which(t) is None] + images.missing_tools()


def _populate(dest: Path) -> None:
    (dest / "usr/sbin").mkdir(parents=True)
    source = dest / "pause.c"
    source.write_text(PAUSE_C)
    subprocess.run(["gcc", "-static", "-Os", "-o", str(dest / "pause"), str(source)], check=True)
    source.unlink()
    shutil.copy2(dest / "pause", dest / "usr/sbin/sshd")
    (dest / "usr/local/bin").mkdir(parents=True)
    shutil.copy2(dest / "pause", dest / "usr/local/bin/kube-proxy")
    (dest / "var/lib/kube-proxy").mkdir(parents=True)
    (dest / "var/lib/kube-proxy/config.conf").write_text(KUBE_PROXY_CONFIG)


def pause_image() -> images.BuiltImage:
    recipe = images.Recipe(
        name="host-pause",
        layers=(
            images.Layer(
                created_by="gcc -static pause.c",
                populate=_populate,
                key=hashlib.sha256((PAUSE_C + KUBE_PROXY_CONFIG).encode()).hexdigest(),
            ),
        ),
        config=("--config.cmd", "/pause"),
    )
    return images.build(recipe)
