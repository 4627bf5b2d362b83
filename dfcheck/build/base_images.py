"""Who well-known base images run as, and which network service their default command starts.

Shipped data, checked on 2026-12-04 against the images' Dockerfiles and entrypoint scripts
(docker-library, dotnet/dotnet-docker, GoogleContainerTools/distroless) and their documentation.
Images not listed are unknown: rules stay silent about them rather than guess.

``user`` is ``root`` (the image sets no USER), ``nonroot`` (it sets one) or ``drops`` (it starts as
root and its entrypoint steps down to a service user, with gosu, when the command is one of
``drops``: ``postgres``, ``redis-server``...; any other command keeps root).
"""

from __future__ import annotations

import re

from dfcheck.dockerfile.model import ImageRef
from dfcheck.records import NamedTuple
from dfcheck.regex import lazy

CHECKED = "2026-12-04"


class BaseImage(NamedTuple):
    user: str
    #: The server the image's default command starts ("" for none).
    service: str = ""
    #: Commands for which the entrypoint drops root (``user == "drops"``); ``-`` stands for
    #: "the first argument is an option", which the entrypoint hands to the server.
    drops: tuple[str, ...] = ()
    #: How to run it without root, when the image offers something better than a new user.
    hint: str = ""


_ROOT = BaseImage("root")
_OFFICIAL_ROOT = [
    "python",
    "pypy",
    "debian",
    "ubuntu",
    "alpine",
    "busybox",
    "golang",
    "ruby",
    "jruby",
    "perl",
    "rust",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "ibm-semeru-runtimes",
    "sapmachine",
    "ibmjava",
    "maven",
    "gradle",
    "centos",
    "rockylinux",
    "almalinux",
    "fedora",
    "amazonlinux",
    "oraclelinux",
    "archlinux",
    "opensuse/leap",
    "opensuse/tumbleweed",
    "buildpack-deps",
    "gcc",
    "erlang",
    "elixir",
    "haskell",
    "swift",
    "julia",
    "r-base",
    "clojure",
    "mono",
    "drupal",
    "joomla",
]
_OFFICIAL: dict[str, BaseImage] = {name: _ROOT for name in _OFFICIAL_ROOT}
_OFFICIAL.update(
    {
        "node": BaseImage("root", hint="the image has a `node` user (uid 1000): add `USER node`"),
        "nginx": BaseImage(
            "root", "nginx", hint="or use `nginxinc/nginx-unprivileged`, which runs as uid 101"
        ),
        "httpd": BaseImage("root", "httpd-foreground"),
        "tomcat": BaseImage("root", "catalina.sh"),
        "caddy": BaseImage("root", "caddy"),
        "traefik": BaseImage("root", "traefik"),
        "wordpress": BaseImage("root", "apache2-foreground"),
        "postgres": BaseImage("drops", "postgres", ("postgres", "-")),
        "redis": BaseImage("drops", "redis-server", ("redis-server", "-", ".conf")),
        "mysql": BaseImage("drops", "mysqld", ("mysqld", "-")),
        "mariadb": BaseImage("drops", "mariadbd", ("mariadbd", "mysqld", "-")),
        "mongo": BaseImage("drops", "mongod", ("mongod", "mongos", "-")),
        "memcached": BaseImage("nonroot", "memcached"),
        "haproxy": BaseImage("nonroot", "haproxy"),
    }
)
#: Registries that mirror Docker Hub's official images under the same names.
_MIRRORS = lazy(r"^(?:public\.ecr\.aws/docker/library|mirror\.gcr\.io(?:/library)?)/")


def lookup(image: ImageRef) -> BaseImage | None:
    """What is known about ``image``, or None."""
    if image.is_scratch:
        return BaseImage("root")
    if image.is_windows:
        return None
    tag = (image.tag or "latest").lower()
    registry = image.registry.lower()
    name = image.name.lower()
    if registry in ("", "docker.io", "index.docker.io"):
        if name in _OFFICIAL:
            return _OFFICIAL[name]
        if name == "php":
            return _php(tag)
        if name == "nginxinc/nginx-unprivileged" or name.startswith(("bitnami/", "chainguard/")):
            return None if name == "bitnami/minideb" else BaseImage("nonroot")
        return None
    full = f"{registry}/{name}"
    mirrored = _MIRRORS.sub("", full)
    if mirrored != full:
        return lookup(ImageRef.parse(f"{mirrored}:{tag}"))
    if registry == "mcr.microsoft.com" and name.startswith("dotnet/"):
        return _dotnet(tag)
    if registry == "gcr.io" and name.startswith("distroless/"):
        if "nonroot" in tag:
            return BaseImage("nonroot")
        return BaseImage("root", hint="use the `:nonroot` tag (uid 65532) or add `USER 65532`")
    if registry == "cgr.dev" and name.startswith("chainguard/"):
        return BaseImage("nonroot")
    if registry == "registry.access.redhat.com" and re.fullmatch(
        r"ubi\d+(?:/ubi(?:-minimal|-micro|-init)?)?", name
    ):
        return _ROOT
    return None


def _php(tag: str) -> BaseImage:
    if "fpm" in tag:
        return BaseImage("root", "php-fpm")
    if "apache" in tag:
        return BaseImage("root", "apache2-foreground")
    return _ROOT


def _dotnet(tag: str) -> BaseImage:
    """.NET 8+ images have an ``app`` user (uid 1654) that chiseled and distroless images run as."""
    if "chiseled" in tag or "distroless" in tag:
        return BaseImage("nonroot")
    major = re.match(r"(\d+)\.", tag)
    if major and int(major.group(1)) >= 8:
        return BaseImage("root", hint="the image has an `app` user: add `USER $APP_UID`")
    return _ROOT


def runs_as_root(info: BaseImage, command: str | None) -> bool:
    """Does an image run as root when started with ``command`` (None: its own default command)?"""
    if info.user != "drops":
        return info.user == "root"
    if command is None:
        return False
    if (command.startswith("-") and "-" in info.drops) or (
        command.endswith(".conf") and ".conf" in info.drops
    ):
        return False
    return command.rsplit("/", 1)[-1] not in info.drops


#: Users the images create for applications: image name -> user -> (home, uid).
_IMAGE_USERS = {"node": {"node": ("/home/node", "1000")}, "dotnet": {"app": ("/home/app", "1654")}}


def image_user(image: ImageRef, user: str) -> tuple[str, str] | None:
    """Home directory and uid of a user the base image itself creates (``node`` in ``node``)."""
    name = image.name.lower()
    key = "dotnet" if image.registry == "mcr.microsoft.com" and name.startswith("dotnet/") else name
    return _IMAGE_USERS.get(key, {}).get(user)
