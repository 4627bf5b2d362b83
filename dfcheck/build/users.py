"""Users a RUN creates (``useradd``, ``adduser``), with their home directory and uid when given.

Rules that address a user's files (a cache mount in its home, owned by its uid) ask here instead of
writing placeholders such as ``<home of app>``.
"""

from __future__ import annotations

from dfcheck.records import NamedTuple
from dfcheck.shell import Command


class NewUser(NamedTuple):
    name: str
    home: str | None
    uid: str | None


_VALUES = {
    "useradd": frozenset(["-d", "--home-dir", "-u", "--uid", "-g", "--gid", "-G", "--groups", "-s", "--shell", "-c", "--comment", "-k", "--skel", "-e", "-f", "-K", "-b", "--base-dir"]),
    "adduser": frozenset(["-h", "-u", "-G", "-s", "-g", "-k", "--home", "--uid", "--gid", "--shell", "--gecos", "--ingroup", "--firstuid", "--lastuid"]),
}  # fmt: skip


def created_user(cmd: Command) -> NewUser | None:
    """The user ``useradd`` or ``adduser`` (Debian's or BusyBox's) creates in ``cmd``, if any.

    The home is ``-d``/``-h``/``--home`` when given, else ``<base>/<name>`` (``useradd -b``, default
    ``/home``). ``adduser --system`` without a home is unknown: Debian's gives ``/nonexistent``,
    BusyBox's (Alpine) ``/home/<name>``.
    """
    if cmd.name not in _VALUES:
        return None
    values: dict[str, str] = {}
    names: list[str] = []
    args = [w.text for w in cmd.args]
    i = 0
    while i < len(args):
        text = args[i]
        flag, eq, value = text.partition("=")
        if text.startswith("-") and flag in _VALUES[cmd.name]:
            values[flag] = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            i += 1 if eq else 2
            continue
        if not text.startswith("-"):
            names.append(text)
        i += 1
    if not names or "$" in names[0]:
        return None
    name = names[-1] if cmd.name == "useradd" else names[0]
    home = values.get("-d") or values.get("--home-dir") or values.get("-h") or values.get("--home")
    if home is None and not (cmd.name == "adduser" and "--system" in args):
        home = f"{values.get('-b', values.get('--base-dir', '/home')).rstrip('/')}/{name}"
    uid = values.get("-u") or values.get("--uid")
    return NewUser(name, home if home and "$" not in home else None, uid if uid and uid.isdigit() else None)
