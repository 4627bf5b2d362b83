"""What well-known base images contain, for rules that ask "is curl there?" or "is there a shell?".

Only images whose contents are stable and well documented are listed; for anything else the
answer is "unknown" and rules stay silent rather than guess.
"""

from __future__ import annotations

from dfcheck.dockerfile.model import ImageRef
from dfcheck.regex import lazy

BUSYBOX_TOOLS = frozenset({"wget", "nc", "sh"})
NO_TOOLS: frozenset[str] = frozenset()
#: Debian/Ubuntu minimal images: a shell, but neither curl nor wget.
DEBIAN_MINIMAL = frozenset({"sh", "bash"})
#: docker-library images built on buildpack-deps (curl and wget included).
FULL_DEBIAN = frozenset({"sh", "bash", "curl", "wget"})

_SHELLLESS = lazy(r"(^|/)(distroless/|static(-debian\d+)?$|chainguard/static)")
_FULL_LANGUAGE_IMAGES = frozenset(
    {
        "node",
        "python",
        "golang",
        "ruby",
        "php",
        "perl",
        "rust",
        "openjdk",
        "maven",
        "gradle",
        "buildpack-deps",
    }
)


def tools(image: ImageRef) -> frozenset[str] | None:
    """Programs known to be on the image's PATH, or None when unknown."""
    if image.is_scratch:
        return NO_TOOLS
    name = image.name
    tag = (image.tag or "latest").lower()
    if _SHELLLESS.search(name) or name.startswith(("gcr.io/distroless", "cgr.dev/chainguard/static")):
        return NO_TOOLS
    if image.registry in ("gcr.io",) and "distroless" in name:
        return NO_TOOLS
    if name in ("alpine", "busybox") or "alpine" in tag:
        return BUSYBOX_TOOLS
    if name in ("debian", "ubuntu"):
        return DEBIAN_MINIMAL
    if name in _FULL_LANGUAGE_IMAGES:
        if "slim" in tag:
            return DEBIAN_MINIMAL
        if "windowsservercore" in tag or "nanoserver" in tag:
            return None
        return FULL_DEBIAN
    return None


def has_shell(image: ImageRef) -> bool | None:
    known = tools(image)
    return None if known is None else "sh" in known
