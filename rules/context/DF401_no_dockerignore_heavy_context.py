"""No ignore file while a broad COPY sends VCS data, dependencies, virtualenvs or build outputs."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.sources import source_tokens
from dfcheck.build.steps import BROAD, from_context
from dfcheck.lint.finding import UNSAFE, Edit, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext

#: What a starter ignore file leaves out for each ecosystem, found by a manifest at the context's
#: root: dependencies the build installs again, caches and build outputs it makes again.
_STARTERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("package.json",), ("node_modules", "npm-debug.log*", "yarn-error.log*")),
    (
        ("requirements.txt", "pyproject.toml", "setup.py", "Pipfile"),
        ("**/__pycache__", "**/*.pyc", ".venv", "venv", ".pytest_cache", ".mypy_cache", ".tox"),
    ),
    (("Gemfile",), (".bundle", "vendor/bundle", "log/*", "tmp/*")),
    (("Cargo.toml", "pom.xml"), ("target",)),
    (("build.gradle", "build.gradle.kts"), (".gradle", "build")),
    (("composer.json",), ("vendor",)),
    (("mix.exs",), ("_build", "deps")),
)


class NoDockerignoreHeavyContextRule(Rule):
    code = "DF401"
    name = "no-dockerignore-heavy-context"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "No .dockerignore while COPY . sends .git, dependencies, virtualenvs or build outputs"
    #: The context matters only to what a COPY or ADD reads.
    requires_instructions = frozenset({"COPY", "ADD"})

    def check_file(self, ctx: RuleContext) -> Iterator[Finding]:
        token = next(
            (
                t
                for ins in ctx.all_instructions("COPY", "ADD")
                if from_context(ins)
                for t in source_tokens(ins)
                if t.value in BROAD
            ),
            None,
        )
        if token is None:
            return
        build = ctx.build_context  # loaded only for a broad COPY from it
        if build is None or build.ignore_file is not None:
            return
        from dfcheck.build.inventory import heavy_entries, shared_inventory

        inventory = shared_inventory(build)
        heavy = heavy_entries(inventory)
        if not heavy:
            return
        shown = ", ".join(f"{e.path} ({e.kind})" for e in heavy[:4]) + (" ..." if len(heavy) > 4 else "")
        yield self.finding(
            ctx,
            token.span,
            f"there is no .dockerignore, so this copies {shown} into the image and sends it with every "
            "build; add a .dockerignore that excludes them",
            fix=_starter(
                ctx, [e.path for e in heavy], {f.path for f in inventory.included if "/" not in f.path}
            ),
        )


def _starter(ctx: RuleContext, heavy: list[str], top: set[str]) -> Fix | None:
    """A starter ignore file beside the Dockerfile: ``.git``, the ecosystems' usual entries and
    the heavy entries found, minus any a COPY/ADD names (or reads from inside)."""
    if ctx.file_path is None or ctx.context_dir is None:
        return None
    entries = [".git"]
    for manifests, patterns in _STARTERS:
        if any(m in top for m in manifests):
            entries += patterns
    entries += heavy
    named = [
        t.value.strip("/").removeprefix("./")
        for ins in ctx.all_instructions("COPY", "ADD")
        if from_context(ins)
        for t in source_tokens(ins)
        if t.value not in BROAD
    ]
    kept: list[str] = []
    for entry in entries:
        bare = entry.removeprefix("**/").rstrip("*").rstrip("/")
        if entry in kept or any(
            n == bare or n.startswith(bare + "/") or bare.startswith(n + "/") for n in named
        ):
            continue
        kept.append(entry)
    same_folder = ctx.context_dir.resolve() == ctx.file_path.parent.resolve()
    name = ".dockerignore" if same_folder else f"{ctx.file_path.name}.dockerignore"
    content = "".join(f"{e}\n" for e in kept)
    return Fix(f"Write a starter {name}", (Edit(0, 0, content, name),), UNSAFE)
