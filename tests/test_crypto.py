"""Keys and ciphers: values are bound to their subject and item, keys to their master key."""

from __future__ import annotations

import stat
from pathlib import Path

import bcrypt
import pytest
from argon2 import PasswordHasher

from jikimi.crypto import (
    KeyRing,
    MasterKey,
    Passwords,
    blind_index,
    new_data_key,
    open_value,
    seal_value,
    unwrap_key,
    wrap_key,
)
from jikimi.errors import KeyRingError


def test_a_value_opens_only_for_its_own_subject_and_item() -> None:
    key = new_data_key()
    blob = seal_value(key, "subject-a", "mobile", "010-1234-5678")
    assert open_value(key, "subject-a", "mobile", blob) == "010-1234-5678"
    with pytest.raises(KeyRingError):
        open_value(key, "subject-b", "mobile", blob)
    with pytest.raises(KeyRingError):
        open_value(key, "subject-a", "email", blob)
    with pytest.raises(KeyRingError):
        open_value(new_data_key(), "subject-a", "mobile", blob)


def test_the_same_value_never_gives_the_same_ciphertext() -> None:
    key = new_data_key()
    assert seal_value(key, "s", "name", "홍길동") != seal_value(key, "s", "name", "홍길동")


def test_a_data_key_unwraps_only_with_its_master_key_and_label() -> None:
    master, other = MasterKey.generate(), MasterKey.generate()
    key = new_data_key()
    wrapped = wrap_key(master, key, "subject-a")
    assert unwrap_key(master, wrapped, "subject-a") == key
    with pytest.raises(KeyRingError):
        unwrap_key(other, wrapped, "subject-a")
    with pytest.raises(KeyRingError):
        unwrap_key(master, wrapped, "subject-b")


def test_key_file_is_private_and_round_trips(tmp_path: Path) -> None:
    ring = KeyRing(MasterKey.generate()).rotated()
    path = tmp_path / "keys" / "master.key"
    ring.write(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = KeyRing.from_file(path)
    assert loaded.current.id == ring.current.id
    assert [k.id for k in loaded.retired] == [k.id for k in ring.retired]
    assert loaded.get(ring.retired[0].id).secret == ring.retired[0].secret


def test_a_master_key_must_be_32_bytes() -> None:
    with pytest.raises(KeyRingError):
        KeyRing.from_env_value("c2hvcnQ=")


def test_the_key_id_never_reveals_the_key() -> None:
    key = MasterKey.generate()
    assert key.encoded() not in repr(key) and key.id not in key.encoded()


def test_blind_indexes_are_keyed_and_per_item() -> None:
    k1, k2 = new_data_key(), new_data_key()
    assert blind_index(k1, "email", "a@example.com") == blind_index(k1, "email", "a@example.com")
    assert blind_index(k1, "email", "a@example.com") != blind_index(k2, "email", "a@example.com")
    assert blind_index(k1, "email", "a@example.com") != blind_index(k1, "login_id", "a@example.com")


def test_passwords_use_argon2id_with_the_library_defaults() -> None:
    passwords = Passwords()
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse battery").ok
    assert not passwords.verify(stored, "wrong").ok


def test_a_hash_with_old_parameters_is_replaced_on_login() -> None:
    old = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).hash("pw-12345678")
    check = Passwords().verify(old, "pw-12345678")
    assert check.ok and check.new_hash is not None and check.new_hash.startswith("$argon2id$")


def test_a_legacy_bcrypt_hash_verifies_once_and_is_upgraded() -> None:
    legacy = bcrypt.hashpw(b"pw-12345678", bcrypt.gensalt(rounds=4)).decode()
    check = Passwords().verify(legacy, "pw-12345678")
    assert check.ok and check.new_hash is not None and check.new_hash.startswith("$argon2id$")
    assert not Passwords().verify(legacy, "nope").ok
