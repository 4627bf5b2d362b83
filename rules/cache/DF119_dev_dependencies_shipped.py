"""``npm ci`` in the stage that ships installs devDependencies into the image."""

from __future__ import annotations

from collections.abc import Iterator

from dfcheck.build.packages import operands
from dfcheck.build.startup import launch, process
from dfcheck.dockerfile.model import Stage, program_name
from dfcheck.dockerfile.parse import Instruction
from dfcheck.lint.finding import UNSAFE, Finding, Fix, Severity
from dfcheck.lint.rule import Rule, RuleContext
from dfcheck.regex import lazy
from dfcheck.shell import Command, Script, Word

#: Program -> (verbs that install the manifest, flags that leave dev dependencies out, the flag to
#: add, the command that removes them after a build).
_TOOLS = {
    "npm": (("ci", "clean-install", "install", "i"), ("--omit", "--production", "--only"), "--omit=dev",
            "npm prune --omit=dev"),
    "yarn": (("", "install"), ("--production", "--prod"), "--production", "yarn install --production"),
    "pnpm": (("install", "i"), ("--prod", "-P", "--production"), "--prod", "pnpm prune --prod"),
}  # fmt: skip
_PRODUCTION_ENV = (("NODE_ENV", "production"), ("npm_config_production", "true"), ("NPM_CONFIG_PRODUCTION", "true"),
                   ("npm_config_omit", "dev"), ("NPM_CONFIG_OMIT", "dev"))  # fmt: skip


#: Development and test images (``Dockerfile.dev``, ``e2e.Dockerfile``, ``.devcontainer/``) need
#: their dev dependencies.
_DEV_IMAGE = lazy(
    r"(?i)(?:^|[/._-])(?:dev|devel|development|devcontainer|test|tests|unit|e2e|ci)(?:[/._-]|$)"
)
_DEV_SCRIPTS = frozenset({"dev", "develop", "serve", "test", "tests", "e2e", "watch", "storybook", "lint"})
_DEV_TOOLS = frozenset(
    {"nodemon", "vite", "jest", "vitest", "mocha", "playwright", "cypress", "ng", "webpack-dev-server"}
)


def _dev_command(argv: list[Word]) -> bool:
    """``npm run dev``, ``yarn test``, ``nodemon``: an image for development, which needs dev dependencies."""
    if not argv:
        return False
    name = program_name(argv[0].text)
    rest = [w.text for w in argv[1:] if not w.text.startswith("-")]
    script = rest[1] if rest[:1] == ["run"] and len(rest) > 1 else (rest[0] if rest else "")
    if name in ("npm", "yarn", "pnpm", "bun", "npx"):
        return script.split(":")[0] in _DEV_SCRIPTS or script in _DEV_TOOLS
    return name in _DEV_TOOLS or (name == "next" and script == "dev")


def _prunes(cmd: Command) -> bool:
    """``npm prune --omit=dev``, ``pnpm prune --prod``, ``yarn install --production``..."""
    words = [w.text for w in operands(cmd)]
    flags = [w.text for w in cmd.args if w.text.startswith("-")]
    production = any(f.split("=")[0] in ("--omit", "--production", "--prod", "--only") for f in flags)
    return production and (words[:1] == ["prune"] or (cmd.name == "yarn" and words[:1] in ([], ["install"])))


class DevDependenciesShippedRule(Rule):
    code = "DF119"
    name = "dev-dependencies-shipped"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    summary = "npm/yarn/pnpm installs devDependencies in the image that ships"
    judged_stages = "shipped"
    programs = frozenset(_TOOLS)
    requires_programs = frozenset(_TOOLS)

    def __init__(self) -> None:
        self.installs: list[tuple[Instruction, Command, Word]] = []
        self.prune_lines: list[int] = []

    def check_command(
        self, ctx: RuleContext, ins: Instruction, script: Script, cmd: Command
    ) -> Iterator[Finding]:
        verbs, flags, *_ = _TOOLS[cmd.name]
        words = operands(cmd)
        texts = [w.text.split("=")[0] for w in cmd.args]
        if _prunes(cmd):
            self.prune_lines.append(ins.line)
        elif cmd.has_flag(*flags) or set(texts) & {
            *flags,
            "--version",
            "-v",
            "--help",
            "-h",
            "-g",
            "--global",
        }:
            pass
        elif (words[0].text if words else "") in verbs and len(words) <= 1:
            scope = ctx.facts(ins).scope
            assigned = dict(a.text.split("=", 1) for a in cmd.assignments if "=" in a.text)
            if not any((assigned.get(k) or scope.get(k) or "").strip("\"'") == v for k, v in _PRODUCTION_ENV):
                self.installs.append(
                    (ins, cmd, words[0] if words else cmd.words[len(cmd.words) - len(cmd.args) - 1])
                )
        return iter(())

    def check_image(self, ctx: RuleContext, chain: list[Stage]) -> Iterator[Finding]:
        if _DEV_IMAGE.search(ctx.path) or _dev_command(process(launch(chain))[0]):
            return
        for ins, cmd, word in self.installs:
            if any(line > ins.line for line in self.prune_lines):
                continue
            flag, prune = _TOOLS[cmd.name][2:]
            said = f"{cmd.name} {word.text}" if word.text != cmd.name else cmd.name
            yield self.finding(
                ctx,
                word.span,
                f"`{said}` installs devDependencies too, and this stage ships: add `{flag}` (or `{prune}` after "
                f"the build), or build in an earlier stage and copy only what runs",
                fix=Fix(f"Add {flag}", (ctx.insert_after(word.span, f" {flag}"),), UNSAFE),
            )
