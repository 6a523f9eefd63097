"""Deterministic randomness and identifiers: every value derives from the seed and what it names."""

from __future__ import annotations

import base64
import hashlib
import random

_SEPARATOR = "\x1f"
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def stable_int(*parts: object) -> int:
    """A 64-bit integer that depends only on `parts` (not on the process, unlike `hash`)."""
    text = _SEPARATOR.join(str(part) for part in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def rng_for(*parts: object) -> random.Random:
    """An independent random stream per purpose, so one team's draws never shift another's."""
    return random.Random(stable_int(*parts))


def sha40(*parts: object) -> str:
    """A git-like 40-hex object id."""
    return hashlib.sha1(_SEPARATOR.join(str(part) for part in parts).encode()).hexdigest()


def hex_id(length: int, *parts: object) -> str:
    return hashlib.blake2b(_SEPARATOR.join(str(part) for part in parts).encode(), digest_size=32).hexdigest()[
        :length
    ]


def legacy_node_id(type_name: str, ident: object) -> str:
    """GitHub's classic global node id, e.g. `MDQ6VXNlcjE2NjU4NzM4` = base64("04:User16658738")."""
    return base64.b64encode(f"0{len(type_name)}:{type_name}{ident}".encode()).decode()


def next_node_id(prefix: str, ident: int) -> str:
    """GitHub's newer node id format, e.g. `WFR_kwLOB_z1Gs6x0Jpl`."""
    return f"{prefix}_kwDO" + base64.urlsafe_b64encode(ident.to_bytes(8, "big")).decode().rstrip("=")


def pagerduty_id(prefix: str, length: int, *parts: object) -> str:
    """PagerDuty-style ids: `Q1ABCD2EFGH3IJ` for incidents, `P4K6Z2Q` for users and teams."""
    number = int(hex_id(32, *parts), 16)
    chars = []
    for _ in range(length - len(prefix)):
        number, index = divmod(number, len(_ALPHANUMERIC))
        chars.append(_ALPHANUMERIC[index])
    return prefix + "".join(chars)


def uuid_for(*parts: object) -> str:
    """A version-4-looking UUID, as Azure DevOps and Opsgenie use for ids."""
    digits = hex_id(32, *parts)
    variant = "89ab"[int(digits[16], 16) % 4]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"
