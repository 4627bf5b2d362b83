"""End-of-life dates of the language runtimes and distributions official base images carry.

Shipped data from endoflife.date (its repository's ``products/*.md`` as of 2026-08-22), checked on
2026-12-04. Dates are when the project stops shipping security fixes: for Debian the end of its
LTS (the official images keep receiving LTS updates), for Ubuntu the end of standard support
(Ubuntu Pro's extended support is not in the public images). A version older than the oldest one
listed ended before that one did.
"""

from __future__ import annotations

import re

from dfcheck.dockerfile.model import ImageRef
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy

CHECKED = "2026-12-04"


def _table(text: str) -> dict[str, str]:
    pairs = text.split()
    return dict(zip(pairs[::2], pairs[1::2], strict=True))


NODE = _table(
    "4 2018-04-30 5 2016-06-30 6 2019-04-30 7 2017-06-30 8 2019-12-31 9 2018-06-30 10 2021-04-30 11 2019-06-30 "
    "12 2022-04-30 13 2020-06-01 14 2023-04-30 15 2021-06-01 16 2023-09-11 17 2022-06-01 18 2025-04-30 "
    "19 2023-06-01 20 2026-04-30 21 2024-06-01 22 2027-04-30 23 2025-06-01 24 2028-04-30 25 2026-06-01 "
    "26 2029-04-30"
)
#: The LTS codenames the node image also uses as tags.
NODE_CODENAMES = {"argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12", "fermium": "14",
                  "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24"}  # fmt: skip
PYTHON = _table(
    "2.6 2013-10-29 2.7 2020-01-01 3.0 2009-06-27 3.1 2012-04-09 3.2 2016-02-20 3.3 2017-09-29 3.4 2019-03-18 "
    "3.5 2020-09-30 3.6 2021-12-23 3.7 2023-06-27 3.8 2024-10-07 3.9 2025-10-31 3.10 2026-10-31 "
    "3.11 2027-10-31 3.12 2028-10-31 3.13 2029-10-31 3.14 2030-10-31"
)
GO = _table(
    "1.10 2019-02-25 1.11 2019-09-03 1.12 2020-02-25 1.13 2020-08-11 1.14 2021-02-16 1.15 2021-08-16 "
    "1.16 2022-03-15 1.17 2022-08-02 1.18 2023-02-01 1.19 2023-09-06 1.20 2024-02-06 1.21 2024-08-13 "
    "1.22 2025-02-11 1.23 2025-08-12 1.24 2026-02-10 1.25 2026-08-19"
)
RUBY = _table(
    "2.1 2017-03-31 2.2 2018-03-31 2.3 2019-03-31 2.4 2020-03-31 2.5 2021-03-31 2.6 2022-03-31 2.7 2023-03-31 "
    "3.0 2024-04-23 3.1 2025-03-26 3.2 2026-03-31 3.3 2027-03-31 3.4 2028-03-31 4.0 2029-03-31"
)
PHP = _table(
    "5.3 2014-08-14 5.4 2015-09-14 5.5 2016-07-21 5.6 2018-12-31 7.0 2019-01-10 7.1 2019-12-01 7.2 2020-11-30 "
    "7.3 2021-12-06 7.4 2022-11-28 8.0 2023-11-26 8.1 2025-12-31 8.2 2026-12-31 8.3 2027-12-31 8.4 2028-12-31 "
    "8.5 2029-12-31"
)
ALPINE = _table(
    "3.0 2016-05-01 3.1 2016-11-01 3.2 2017-05-01 3.3 2017-11-01 3.4 2018-05-01 3.5 2018-11-01 3.6 2019-05-01 "
    "3.7 2019-11-01 3.8 2020-05-01 3.9 2020-11-01 3.10 2021-05-01 3.11 2021-11-01 3.12 2022-05-01 "
    "3.13 2022-11-01 3.14 2023-05-01 3.15 2023-11-01 3.16 2024-05-23 3.17 2024-11-22 3.18 2025-05-09 "
    "3.19 2025-11-01 3.20 2026-04-01 3.21 2026-11-01 3.22 2027-05-01 3.23 2027-11-01 3.24 2028-06-01"
)
#: Debian: end of LTS.
DEBIAN = _table(
    "7 2018-05-31 8 2020-06-30 9 2022-07-01 10 2024-06-30 11 2026-08-31 12 2028-06-30 13 2030-06-30"
)
DEBIAN_CODENAMES = {"wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
                    "bookworm": "12", "trixie": "13"}  # fmt: skip
#: Ubuntu: end of standard support.
UBUNTU = _table(
    "14.04 2019-04-02 16.04 2021-04-02 17.10 2018-07-19 18.04 2023-05-31 18.10 2019-07-18 19.04 2020-01-23 "
    "19.10 2020-07-06 20.04 2025-05-31 20.10 2021-07-22 21.04 2022-01-20 21.10 2022-07-14 22.04 2027-04-01 "
    "22.10 2023-07-20 23.04 2024-01-20 23.10 2024-07-12 24.04 2029-05-31 24.10 2025-07-10 25.04 2026-01-17 "
    "25.10 2026-07-01 26.04 2031-04-30"
)
UBUNTU_CODENAMES = {"trusty": "14.04", "xenial": "16.04", "artful": "17.10", "bionic": "18.04", "cosmic": "18.10",
                    "disco": "19.04", "eoan": "19.10", "focal": "20.04", "groovy": "20.10", "hirsute": "21.04",
                    "impish": "21.10", "jammy": "22.04", "kinetic": "22.10", "lunar": "23.04", "mantic": "23.10",
                    "noble": "24.04", "oracular": "24.10", "plucky": "25.04", "questing": "25.10",
                    "resolute": "26.04"}  # fmt: skip

#: Image name -> (product, table, how the version starts the tag).
_LANGUAGES = {
    "node": ("Node.js", NODE, r"(\d+)"),
    "python": ("Python", PYTHON, r"(\d+\.\d+)"),
    "golang": ("Go", GO, r"(1\.\d+)"),
    "ruby": ("Ruby", RUBY, r"(\d+\.\d+)"),
    "php": ("PHP", PHP, r"(\d+\.\d+)"),
}


#: Docker Hub's per-architecture copies of the official images (``arm64v8/ruby``).
_ARCH = lazy(r"^(?:amd64|arm32v[5-7]|arm64v8|i386|ppc64le|s390x|riscv64|mips64le|windows-amd64)/")


class EndOfLife(NamedTuple):
    product: str
    version: str
    date: str
    #: The version is older than any in the table: it ended before ``date``.
    before: bool = False


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _find(product: str, table: dict[str, str], version: str) -> EndOfLife | None:
    if version in table:
        return EndOfLife(product, version, table[version])
    oldest = min(table, key=_key)
    if _key(version) < _key(oldest):
        return EndOfLife(product, version, table[oldest], before=True)
    return None


def releases(image: ImageRef) -> list[EndOfLife]:
    """The dated releases the image is built on: its runtime's version and the distribution its tag
    names (``python:3.8-slim-buster`` -> Python 3.8 and Debian 10); none for unknown images or tags."""
    if image.registry not in ("", "docker.io", "index.docker.io") or image.is_scratch:
        return []
    name, tag = _ARCH.sub("", image.name), (image.tag or "").lower()
    found: list[EndOfLife] = []
    if name in _LANGUAGES:
        product, table, pattern = _LANGUAGES[name]
        m = re.match(pattern + r"(?:[.-]|$)", tag)
        version = m.group(1) if m else NODE_CODENAMES.get(tag.split("-")[0], "") if name == "node" else ""
        hit = _find(product, table, version) if version else None
        if hit:
            found.append(hit)
    if name == "debian":
        m = re.match(r"(\d+)(?:[.-]|$)", tag)
        version = m.group(1) if m else DEBIAN_CODENAMES.get(tag.split("-")[0], "")
        hit = _find("Debian", DEBIAN, version) if version else None
        return [hit] if hit else []
    if name == "ubuntu":
        m = re.match(r"(\d\d\.\d\d)(?:[.-]|$)", tag)
        version = m.group(1) if m else UBUNTU_CODENAMES.get(tag.split("-")[0], "")
        hit = _find("Ubuntu", UBUNTU, version) if version else None
        return [hit] if hit else []
    if name == "alpine":
        m = re.match(r"(3\.\d+)(?:[.-]|$)", tag)
        hit = _find("Alpine", ALPINE, m.group(1)) if m else None
        return [hit] if hit else []
    for part in tag.split("-")[1:]:
        if part in DEBIAN_CODENAMES:
            found.append(EndOfLife("Debian", DEBIAN_CODENAMES[part], DEBIAN[DEBIAN_CODENAMES[part]]))
        elif part in UBUNTU_CODENAMES:
            found.append(EndOfLife("Ubuntu", UBUNTU_CODENAMES[part], UBUNTU[UBUNTU_CODENAMES[part]]))
        elif (m := re.fullmatch(r"alpine(3\.\d+)", part)) and m.group(1) in ALPINE:
            found.append(EndOfLife("Alpine", m.group(1), ALPINE[m.group(1)]))
    return found
