"""Which flags take a separate value, per program: the one table the shell module and the rules share.

Knowing that ``-o`` takes a value is what lets ``apt-get -o Dpkg::Options::=--force-confold install x``
find its subcommand, and ``apk add --virtual .deps curl`` not count ``.deps`` as a package. A flag
missing here turns its value into a positional word; a boolean flag listed here swallows the word
after it. So an entry is added only from the program's own documentation.
"""

from __future__ import annotations


def _flagset(flags: str) -> frozenset[str]:
    return frozenset(flags.split())


NO_FLAGS: frozenset[str] = frozenset()

#: Flags whose value is a separate word (``-o VALUE``, ``--option VALUE``), per program name.
VALUE_FLAGS: dict[str, frozenset[str]] = {
    name: _flagset(flags)
    for names, flags in (
        ("apt-get apt apt-cache", "-o -c -t --option --config-file --target-release"),
        (
            "yum dnf microdnf",
            "-c -d -e -x --config --installroot --releasever --enablerepo --disablerepo --exclude --setopt",
        ),
        ("apk", "-X -p --repository --root --arch --cache-dir --keys-dir --repositories-file"),
        ("git", "-C -c --git-dir --work-tree --namespace"),
        ("pip pip3", "--log --proxy --retries --timeout --cache-dir --python --cert --client-cert"),
        ("npm", "--prefix --userconfig --cache"),
        ("yarn", "--cwd --cache-folder"),
        ("docker", "-H -c -l --host --context --config --log-level"),
        ("gem", "--config-file"),
    )
    for name in names.split()
}

#: Commands that run another command: name -> (flags taking a value, positionals before the
#: wrapped command's name, e.g. the user of ``gosu app node``).
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (
        _flagset(
            "-u -g -C -D -h -p -r -t -U -R -T --user --group --close-from --chdir --host"
            " --prompt --role --type --other-user --chroot --command-timeout"
        ),
        0,
    ),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "--unset", "--chdir"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "nohup": (NO_FLAGS, 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "command": (NO_FLAGS, 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "gosu": (NO_FLAGS, 1),
    "su-exec": (NO_FLAGS, 1),
}
