"""The syscall source's fields, read from hand-written events."""

from __future__ import annotations

import pytest

from hullguard.events.compiler import Definitions, compile_condition, expand
from hullguard.events.output import compile_template
from hullguard.events.syntax import parse
from hullguard.runtime.event import HOST_CONTAINER, SyscallEvent
from hullguard.runtime.fields import SYSCALL_FIELDS
from tests.runtime.factory import PODMAN_ID, connect_event, make_event, make_process

NO_DEFS = Definitions(lists={}, macros={})


def holds(condition: str, event: SyscallEvent) -> bool:
    return compile_condition(expand(parse(condition), NO_DEFS), SYSCALL_FIELDS).evaluate(event)


def render(template: str, event: SyscallEvent) -> str:
    return compile_template(template, SYSCALL_FIELDS).render(event)


@pytest.mark.parametrize(
    "condition",
    [
        "evt.type = openat and evt.dir = < and evt.res = SUCCESS and evt.rawres = 3",
        "evt.is_open_read = true and evt.is_open_write = false",
        "fd.typechar = f and fd.num >= 0 and fd.directory = /etc and fd.filename = shadow",
        "evt.arg.flags contains O_CLOEXEC and evt.arg[name] = /etc/shadow",
        "proc.name = cat and proc.pname = bash and proc.aname[2] = runc:[2:INIT] and proc.aname = bash",
        "proc.aname in (runc:[2:INIT]) and proc.aname[0] = cat and not proc.aname[3] exists",
        "proc.cmdline = 'cat /etc/shadow' and proc.pcmdline = 'bash -i' and proc.exepath = /usr/bin/cat",
        "proc.tty != 0 and proc.sname = bash and proc.is_vpgid_leader = true and proc.vpid = 7",
        "proc.duration = 1000000000 and thread.tid = 43",
        "thread.cap_effective contains CAP_SYS_ADMIN and thread.cap_permitted icontains cap_chown",
        "user.uid = 0 and user.name = root and group.name = root and not user.loginuid exists",
        "proc.env[HOME] = /root and proc.env contains PATH=",
        "container.id = 3ac3ea3298b8 and container.full_id startswith 3ac3ea and container.name = web",
        "container.image.repository = docker.io/library/nginx and container.image.tag = '1.25'",
        "container.mount.dest[/var/run/docker.sock] startswith /var/run and container.privileged = false",
        "k8s.ns.name = shop and k8s.pod.name = web-0 and container.type = podman",
    ],
)
def test_fields_of_an_open_in_a_container(condition: str) -> None:
    assert holds(condition, make_event())


def test_host_process_and_unknowns() -> None:
    event = make_event(process=make_process(container=HOST_CONTAINER, parent=None, tty=0))
    assert holds("container.id = host and container.name = host and proc.tty = 0", event)
    assert not holds("proc.pname exists", event)
    assert not holds("container.image.repository exists", event)


def test_connect_fields() -> None:
    event = connect_event("10.1.2.3", 443)
    assert holds("fd.sip = 10.1.2.3 and fd.sport = 443 and fd.rip = 10.1.2.3 and fd.rport = 443", event)
    assert holds("fd.snet in ('10.0.0.0/8', '192.168.0.0/16') and fd.net != 127.0.0.0/8", event)
    assert holds("fd.l4proto = tcp and fd.typechar = 4 and fd.connected = true and fd.port = 443", event)
    assert not holds("fd.cip exists", event)  # the client end is not read from the kernel
    assert not holds("fd.sip.name exists", event)  # peer DNS names are not tracked
    refused = connect_event("127.0.0.1", 9, res=-111)
    assert holds("evt.res = ECONNREFUSED and fd.connected = false and fd.snet = 127.0.0.0/8", refused)


def test_output_renders_fields_and_missing_ones() -> None:
    event = make_event()
    out = render("file=%fd.name gparent=%proc.aname[2] user=%user.name login=%user.loginname caps=%(proc.pid)", event)
    assert out == "file=/etc/shadow gparent=runc:[2:INIT] user=root login=<NA> caps=42"
    assert render("%container.id %container.full_id", event) == f"{PODMAN_ID[:12]} {PODMAN_ID}"


def test_user_and_group_names_come_from_the_containers_own_files() -> None:
    event = make_event(process=make_process(uid=1000, gid=1000, loginuid=1000))
    assert holds("user.name = web and group.name = webgroup and user.loginname = web", event)
    host = make_event(process=make_process(uid=0, gid=0, container=HOST_CONTAINER))
    assert holds("user.name = root and group.name = root", host)
    assert not holds("user.name exists", make_event(process=make_process(uid=4242)))
    unread = make_process(uid=0, container=HOST_CONTAINER.__class__(id="f" * 64), pid=99)
    assert holds("user.name = root", make_event(process=unread))  # no files: the host's names
