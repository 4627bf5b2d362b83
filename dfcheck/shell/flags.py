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
#: ``pip`` also holds ``uv pip``'s flags (``-p``, ``-P``, ``--index-strategy``...): rules read
#: ``uv pip install`` and ``python -m pip install`` arguments with it.
VALUE_FLAGS: dict[str, frozenset[str]] = {
    name: _flagset(flags)
    for names, flags in (
        (
            "apt-get apt",
            "-o -c -t -a -S --option --config-file --target-release --default-release --host-architecture"
            " --snapshot",
        ),
        # apt-cache's -a is --all-versions and -s --src-cache: apt-cache(8)
        (
            "apt-cache",
            "-o -c -t -p -s --option --config-file --target-release --default-release --pkg-cache --src-cache",
        ),
        (
            "apk",
            "-t -X -p --virtual --repository --root --arch --cache-dir --keys-dir --repositories-file"
            " --cache-max-age --timeout --progress-fd",
        ),
        (
            "pip pip3 pipx",
            "-r -c -e -i -f -t -b --requirement --constraint --editable --index-url --extra-index-url"
            " --find-links --target --prefix --root --src --platform --python-version --implementation --abi"
            " --no-binary --only-binary --progress-bar --upgrade-strategy --trusted-host --proxy --retries"
            " --timeout --cache-dir --log --cert --client-cert --exists-action --global-option"
            " --config-settings -C --report --python --keyring-provider --root-user-action --use-feature"
            " --use-deprecated --build"
            " --index --default-index --index-strategy --python-preference --requirements --constraints"
            " --overrides --override -p --link-mode --resolution --prerelease --exclude-newer --extra --group -P"
            " --upgrade-package --reinstall-package",
        ),
        (
            "npm",
            "--prefix --registry --cache --userconfig --globalconfig --omit --include --tag --workspace -w"
            " --loglevel --install-strategy --save-prefix --scope --before --only",
        ),
        (
            "yarn",
            "--cwd --cache-folder --network-timeout --network-concurrency --modules-folder --mutex --registry"
            " --global-folder --link-folder --use-yarnrc --https-proxy --proxy --otp --preferred-cache-folder",
        ),
        ("pnpm", "-C --dir --filter -F --store-dir --reporter --loglevel --registry --config.store-dir -w"),
        ("composer", "-d --working-dir --prefer-install --ignore-platform-req"),
        ("bundle", "--jobs -j --retry --path --without --with --gemfile --binstubs --deployment-path"),
        (
            "cargo",
            "-p --package --bin --example --test --bench --features -F --target --target-dir -j --jobs"
            " --manifest-path --profile --recipe-path --config -Z --color --message-format",
        ),
        (
            "dotnet",
            "-c --configuration -o --output -r --runtime -f --framework -v --verbosity -p --property"
            " -s --source --packages --arch -a --os",
        ),
        ("mix", "--only"),
        ("poetry", "--only --with --without -E --extras -C --directory -P --project"),
        ("uv", "--extra --group --only-group --no-group --package -p --python --index-url --find-links"),
        (
            "gem",
            "-v -i -n -s -P --version --install-dir --bindir --source --trust-policy --platform --config-file",
        ),
        (
            "yum dnf microdnf",
            "-c -d -e -x -R --config --installroot --releasever --enablerepo --disablerepo --exclude --setopt"
            " --repo --repoid --repofrompath --downloaddir --destdir --forcearch --color",
        ),
        ("zypper", "-R -c -D -t -r --root --config --reposd-dir --type --repo --from --cache-dir"),
        ("git", "-C -c --git-dir --work-tree --namespace"),
        ("docker", "-H -c -l --host --context --config --log-level"),
        (
            "go",
            "-C -p -o -ldflags -gcflags -asmflags -tags -mod -modfile -pkgdir -toolexec -buildmode -compiler"
            " -installsuffix -overlay -pgo -gccgoflags",
        ),
        (
            "mvn mvnw",
            "-f --file -s --settings -gs --global-settings -t --toolchains -pl --projects -rf --resume-from"
            " -P --activate-profiles -T --threads -l --log-file -b --builder -D --define",
        ),
        (
            "gradle gradlew",
            "-p --project-dir -g --gradle-user-home -c --settings-file -b --build-file -x --exclude-task"
            " -I --init-script -D --system-prop -P --project-prop --include-build --console --warning-mode"
            " --max-workers --priority",
        ),
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
