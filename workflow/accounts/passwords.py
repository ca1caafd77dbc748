"""Password hashing with Argon2id (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[bool, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    # Tests use the library's low-cost test profile; nothing else may.
    cheap = bool(current_app.config.get("KPI_FAST_PASSWORD_HASH"))
    if cheap not in _hashers:
        if cheap:
            from argon2.profiles import CHEAPEST

            _hashers[cheap] = PasswordHasher.from_parameters(CHEAPEST)
        else:
            _hashers[cheap] = PasswordHasher()
    return _hashers[cheap]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


_dummy_hashes: dict[int, str] = {}


def dummy_verify(password: str) -> None:
    """Spend the time a real check takes, so a wrong username is as slow as a wrong password
    and does not reveal which accounts exist."""
    hasher = _hasher()
    dummy = _dummy_hashes.setdefault(id(hasher), hasher.hash("not-a-real-password"))
    verify_password(dummy, password)
