"""User and group names as the scanned host knows them (its own /etc/passwd and /etc/group)."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.host.tree import HostReadError, HostTree


@dataclass(frozen=True, slots=True)
class Accounts:
    users: dict[int, str]
    groups: dict[int, str]
    members: dict[str, tuple[str, ...]]
    """Group name -> its supplementary members."""

    def user(self, uid: int) -> str:
        return self.users.get(uid, "root" if uid == 0 else str(uid))

    def group(self, gid: int) -> str:
        return self.groups.get(gid, "root" if gid == 0 else str(gid))


def read_accounts(tree: HostTree) -> Accounts:
    users: dict[int, str] = {}
    groups: dict[int, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for path, table in (("/etc/passwd", users), ("/etc/group", groups)):
        try:
            text = tree.read_text(path) or ""
        except HostReadError:
            text = ""
        for line in text.splitlines():
            fields = line.split(":")
            if len(fields) >= 3 and fields[2].isdigit():
                table.setdefault(int(fields[2]), fields[0])
                if path == "/etc/group" and len(fields) >= 4:
                    members[fields[0]] = tuple(m for m in fields[3].split(",") if m)
    return Accounts(users=users, groups=groups, members=members)
