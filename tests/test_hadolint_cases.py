"""Agreement with hadolint's rule behaviour on the kinds of snippets its own rule tests use.

hadolint lints files without a FROM (and instructions before it), wraps RUNs in ONBUILD and
configures label schemas and trusted registries; these are our own Dockerfiles for those shapes,
one per behaviour, asserting whether the aliased dfcheck rule fires.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import lint

LABELS: dict[str, Any] = {"label_schema": {"team": "text"}}

# (DF code, Dockerfile, fires, extra settings)
CASES: list[tuple[str, str, bool, dict[str, Any]]] = [
    # `# hadolint shell=powershell` sets the shell the following RUNs are read with.
    ("DF504", "FROM debian\n# hadolint shell=powershell\nRUN apt-get install curl\n", False, {}),
    (
        "DF504",
        "FROM debian\n# hadolint shell=powershell\nRUN dir\nFROM debian\nRUN apt-get install curl\n",
        True,
        {},
    ),
    # Instructions with no FROM at all are linted as a stage built from scratch.
    ("DF503", "RUN sudo make install\n", True, {}),
    ("DF503", "ONBUILD RUN apt-get update && sudo apt-get install -y make\n", True, {}),
    ("DF501", "RUN free -m\n", True, {}),
    ("DF502", "RUN cd /srv && make\n", True, {}),
    ("DF003", "WORKDIR srv/app\n", True, {}),
    ("DF003", "WORKDIR /srv/app\n", False, {}),
    ("DF720", "RUN apt-get update && apt-get install -y curl\n", True, {}),
    ("DF720", "RUN apt-get install -y curl=8.5.0-2\n", False, {}),
    ("DF721", "RUN pip3 install flask\n", True, {}),
    ("DF722", "ONBUILD RUN npm install --global left-pad\n", True, {}),
    ("DF723", "RUN apk add --no-cache jq\n", True, {}),
    ("DF724", "RUN gem install rake\n", True, {}),
    ("DF725", "RUN dnf install -y nginx && dnf clean all\n", True, {}),
    ("DF726", "RUN zypper install -y nginx && zypper clean\n", True, {}),
    ("DF729", "RUN zypper dup\n", True, {}),
    ("DF110", "RUN apt-get update && apt-get install -y curl=8.5.0-2\n", True, {}),
    ("DF111", "RUN apk add jq=1.7.1-r0\n", True, {}),
    ("DF112", "RUN pip install --no-compile flask==3.0.0\n", True, {}),
    ("DF113", "RUN yum install -y httpd-2.4.57\n", True, {}),
    ("DF114", "RUN yarn install --frozen-lockfile\n", True, {}),
    ("DF504", "RUN yum install httpd-2.4.57 && yum clean all\n", True, {}),
    ("DF505", "RUN apt-get install -y curl=8.5.0-2\n", True, {}),
    ("DF507", "RUN useradd --uid 2000000 builder\n", True, {}),
    ("DF510", "RUN ln -sf /bin/bash /bin/sh\n", True, {}),
    ("DF802", "ADD config.yml /etc/app/\n", True, {}),
    ("DF004", "COPY a.txt b.txt /srv\n", True, {}),
    ("DF005", "COPY --from=builder /out /out\n", True, {}),
    ("DF005", "COPY --from=1 /out /out\n", True, {}),
    ("DF005", "COPY --from=alpine:3.20 /etc/os-release /tmp/\n", False, {}),
    ("DF010", 'ENV ROOT=/opt DATA="$ROOT/data"\n', True, {}),
    ("DF803", 'LABEL com.docker.owner="me"\n', True, {}),
    ("DF813", 'LABEL extra="x"\n', True, {"label_schema": {"team": "text"}, "strict_labels": True}),
    ("DF814", 'LABEL team=""\n', True, LABELS),
    ("DF815", 'LABEL homepage="example"\n', True, {"label_schema": {"homepage": "url"}}),
    # A COPY before any FROM has no base image that could set a working directory.
    ("DF011", "COPY app.py app.py\n", True, {}),
    ("DF011", "COPY app.py c:\\app\\app.py\n", False, {}),
    ("DF011", "COPY app.py d:/app/app.py\n", False, {}),
    ("DF011", "FROM scratch\nCOPY app.py app.py\n", False, {}),
    # An instruction before the first FROM is DF009, not a parse error as well.
    ("DF001", "ONBUILD USER app\n", False, {}),
    ("DF001", "ONBUILD ONBUILD RUN true\n", True, {}),
    ("DF009", "ONBUILD USER app\n", True, {}),
    # apt-get: two quiet levels, however written, answer yes.
    ("DF504", "RUN apt-get install --quiet --quiet curl=8.5.0-2\n", False, {}),
    ("DF504", "RUN apt-get install -q -q curl=8.5.0-2\n", False, {}),
    ("DF504", "RUN apt-get install --quiet curl=8.5.0-2\n", True, {}),
    # gem: build options after `--`, and the value of an option gem does not know.
    ("DF724", "RUN gem install nokogiri:1.16.0 -- --use-system-libraries=true\n", False, {}),
    ("DF724", "RUN gem install nokogiri:1.16.0 -- --with-xml2-dir /usr\n", False, {}),
    ("DF724", "RUN gem install nokogiri:1.16.0 --use-system-libraries yes\n", False, {}),
    ("DF724", "RUN gem install --no-document rails\n", True, {}),
    # go: `go run PACKAGE args`, and tool names.
    ("DF727", "RUN go run golang.org/x/tools/cmd/stringer\n", True, {}),
    ("DF727", "RUN go run golang.org/x/tools/cmd/stringer@v0.20.0 -type=Kind\n", False, {}),
    ("DF727", "RUN go run ./cmd/gen\n", False, {}),
    ("DF727", "RUN go run main.go\n", False, {}),
    ("DF727", "RUN go install tool mockgen\n", True, {}),
    ("DF727", "RUN go get -tool mockgen@v1.6.0\n", False, {}),
    ("DF727", "RUN go get -tool mockgen@latest\n", True, {}),
    ("DF727", "RUN go install std\n", False, {}),
    # pip: an exported PIP_NO_CACHE_DIR earlier in the RUN counts, a false one does not.
    ("DF112", "RUN export PIP_NO_CACHE_DIR=true && pip install flask==3.0.0\n", False, {}),
    ("DF112", "RUN export PIP_NO_CACHE_DIR=off && pip install flask==3.0.0\n", True, {}),
    # dnf and microdnf keep separate caches.
    ("DF113", "RUN microdnf install -y nginx-1.24.0 && dnf clean all\n", True, {}),
    ("DF113", "RUN microdnf install -y nginx-1.24.0 && microdnf clean all\n", False, {}),
    # pipefail: plain sh may not know the option.
    (
        "DF511",
        'FROM alpine:3.20\nSHELL ["/bin/sh", "-o", "pipefail", "-c"]\nRUN curl -fsS https://x.test | tar x\n',
        True,
        {},
    ),
    (
        "DF511",
        'FROM alpine:3.20\nSHELL ["/bin/ash", "-o", "pipefail", "-c"]\nRUN curl -fsS https://x.test | tar x\n',
        False,
        {},
    ),
    # A cache over all of /var/lib/apt, with docker-clean gone, needs /var/cache/apt too.
    (
        "DF110",
        "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        "RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y jq=1.6-2.1\n",
        True,
        {},
    ),
    (
        "DF110",
        "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        "RUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt \\\n"
        "    apt-get update && apt-get install -y jq=1.6-2.1\n",
        False,
        {},
    ),
    (
        "DF110",
        "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y jq=1.6-2.1\n",
        False,
        {},
    ),
    (
        "DF110",
        "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y jq\n",
        False,
        {},
    ),
]

# Label schema: every stage an image can be built from, unless a labelled stage uses it.
MISSING_LABEL: list[tuple[str, int]] = [
    ("FROM alpine:3.20\n", 1),
    ("FROM alpine:3.20\nLABEL owner=x\n", 1),
    ("FROM alpine:3.20\nLABEL team=x\n", 0),
    ("FROM alpine:3.20 AS a\nFROM alpine:3.20 AS b\n", 2),
    ("FROM alpine:3.20 AS a\nFROM alpine:3.20\nLABEL team=x\n", 1),
    ("FROM alpine:3.20 AS a\nFROM a\n", 2),
    ("FROM alpine:3.20 AS a\nFROM a\nLABEL team=x\n", 0),
    ("FROM alpine:3.20 AS a\nLABEL team=x\nFROM a\n", 0),
    ("FROM alpine:3.20 AS a\nFROM busybox:1.36\nLABEL team=x\nCOPY --from=a /etc/os-release /\n", 0),
    ("FROM alpine:3.20 AS a\nFROM a\nLABEL team=x\nFROM a\n", 1),
]


@pytest.mark.parametrize("code,text,fires,settings", CASES)
def test_hadolint_shaped_case(code: str, text: str, fires: bool, settings: dict[str, Any]) -> None:
    found = [f for f in lint(text, (code,), **settings) if f.code == code]
    assert bool(found) is fires, [f.message for f in found]


@pytest.mark.parametrize("text,count", MISSING_LABEL)
def test_missing_label_per_stage(text: str, count: int) -> None:
    assert len(lint(text, ("DF812",), **LABELS)) == count


def test_stage_numbers_skip_instructions_before_from() -> None:
    text = "LABEL a=b\nFROM alpine:3.20 AS base\nFROM alpine:3.20\nCOPY --from=0 /etc/os-release /tmp/\n"
    assert not lint(text, ("DF005", "DF006"))


def test_no_default_command_not_judged_without_from() -> None:
    assert not lint("RUN true\n", ("DF223",))
