"""Is a value written in a Dockerfile a secret? Token shapes of well-known services, private keys,
passwords in URLs, and random-looking values held by credential-like names.

Shipped data, checked on 2026-12-04 against the services' documented token formats.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from dfcheck.dockerfile.model import is_secret_name
from dfcheck.regex import lazy

#: (what, pattern) for tokens whose shape alone says what they are (compiled on first use: every
#: ``dfcheck check`` imports this module, few files have an ARG or ENV to judge).
TOKEN_SHAPES: tuple[tuple[str, str], ...] = (
    ("an AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    ("a GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    ("a GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{22,}"),
    ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
    ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Stripe live key", r"\b[sr]k_live_[A-Za-z0-9]{16,}"),
    ("an OpenAI or Anthropic key", r"\bsk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{32,}"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
    ("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("a PyPI token", r"\bpypi-AgE[A-Za-z0-9_-]{50,}"),
    ("a Docker Hub token", r"\bdckr_pat_[A-Za-z0-9_-]{20,}"),
    ("a Hugging Face token", r"\bhf_[A-Za-z0-9]{34,}"),
    ("a SendGrid key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("a private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
)
#: ``scheme://user:password@host``; group 1 is the password.
URL_PASSWORD = lazy(r"[A-Za-z][\w+.-]*://[^/\s:@'\"]*:([^/\s@'\"]+)@[\w\[]")
#: Names that hold versions, sockets or addresses, however secret their other words sound.
_PUBLIC_NAME = lazy(
    r"(?i)_(?:version|ver|sock|socket|endpoint|issuer|realm|audience|scope)s?$|^ssh_auth_sock$"
)
_PASSWORD_NAME = lazy(r"(?i)pass(?:word|wd)?|pwd|pword")
_PLACEHOLDER = lazy(
    r"(?i)^(?:changeme|change_me|changeit|secret|password|example|dummy|placeholder|xxx+|none|null|true|false)$"
)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def token_shape(value: str) -> str | None:
    """What well-known token ``value`` contains (``a GitHub token``), or None."""
    for what, pattern in TOKEN_SHAPES:
        if re.search(pattern, value):
            return what
    return None


def literal_secret(name: str, value: str) -> str | None:
    """Why ``name=value`` (an ARG or ENV written out in the file) holds a secret, or None.

    A well-known token shape or a password in a URL counts under any name. Under a credential-like
    name (:func:`~dfcheck.dockerfile.model.is_secret_name`), a random-looking value counts (16+
    characters, 3.5+ bits of entropy per character, letters and digits mixed, no spaces), and under
    a password name a value of 8+ characters mixing three of lower case, upper case, digits and
    symbols (``Test@12345``); placeholders (``changeme``, ``password``, ``secret``) do not.
    """
    if not value or "$" in value:
        return None
    what = token_shape(value)
    if what:
        return what
    m = URL_PASSWORD.search(value)
    if m and "$" not in m.group(1) and not _PLACEHOLDER.match(m.group(1)):
        return "a password in a URL"
    if not is_secret_name(name) or _PUBLIC_NAME.search(name):
        return None
    if " " in value or "://" in value or value.startswith("/") or _PLACEHOLDER.match(value):
        return None
    if re.fullmatch(r"[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}", value):
        return None  # a GPG key id or fingerprint
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if _PASSWORD_NAME.search(name) and len(value) >= 8 and classes >= 3 and entropy(value) >= 2.5:
        return "a password"
    if (
        len(value) >= 16
        and re.search(r"[A-Za-z]", value)
        and re.search(r"\d", value)
        and entropy(value) >= 3.5
    ):
        return "a random-looking value"
    return None
