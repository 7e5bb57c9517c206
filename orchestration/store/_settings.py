"""Store configuration from the environment.

Contract:

============================  ===========================================================
``MEDIAPLAN_DATA_DIR``        where local state lives; default ``./.mediaplan``
``MEDIAPLAN_DATABASE_URL``    SQLAlchemy URL, e.g. ``postgresql+psycopg://u@host:5432/db``;
                              default ``sqlite:///<MEDIAPLAN_DATA_DIR>/mediaplan.db``
``MEDIAPLAN_SECRET_KEY``      base64 (standard or URL-safe) of 32 random bytes, the AES-256-GCM
                              key that encrypts OAuth tokens at rest
============================  ===========================================================

`database_url(env)` and `data_dir(env)` only read. `secret_key(env)` returns the 32-byte
key; when ``MEDIAPLAN_SECRET_KEY`` is unset (or blank) it uses, and on first use creates,
a development key file ``<data dir>/secret.key`` with mode 0600 and logs a warning
(never the key). A malformed key raises `SecretKeyError` naming the variable, not its value.
Generate a production key with ``openssl rand -base64 32``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from orchestration.store._errors import SecretKeyError

__all__ = [
    "DATABASE_URL_VAR",
    "DATA_DIR_VAR",
    "KEY_BYTES",
    "SECRET_KEY_VAR",
    "data_dir",
    "database_url",
    "decode_key",
    "secret_key",
]

DATA_DIR_VAR = "MEDIAPLAN_DATA_DIR"
DATABASE_URL_VAR = "MEDIAPLAN_DATABASE_URL"
SECRET_KEY_VAR = "MEDIAPLAN_SECRET_KEY"
KEY_BYTES = 32
_DEV_KEY_FILE = "secret.key"

log = logging.getLogger(__name__)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The project data directory (not created here)."""
    return Path(_get(env, DATA_DIR_VAR) or ".mediaplan").expanduser()


def database_url(env: Mapping[str, str] = os.environ) -> str:
    """``MEDIAPLAN_DATABASE_URL``, else an SQLite file in the data directory."""
    url = _get(env, DATABASE_URL_VAR)
    if url is not None:
        return url
    return f"sqlite:///{(data_dir(env) / 'mediaplan.db').resolve()}"


def decode_key(text: str, source: str = SECRET_KEY_VAR) -> bytes:
    """Decode a base64 key and check its length; errors name `source`, never the value."""
    cleaned = text.strip()
    try:
        padded = cleaned + "=" * (-len(cleaned) % 4)
        alphabet = b"-_" if ("-" in cleaned or "_" in cleaned) else None
        key = base64.b64decode(padded, altchars=alphabet, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SecretKeyError(f"{source} is not valid base64 ({exc})") from None
    if len(key) != KEY_BYTES:
        raise SecretKeyError(
            f"{source} must decode to {KEY_BYTES} bytes for AES-256-GCM, got {len(key)} bytes"
        )
    return key


def secret_key(env: Mapping[str, str] = os.environ) -> bytes:
    """The token encryption key (see module doc); creates the dev key file when needed."""
    configured = _get(env, SECRET_KEY_VAR)
    if configured is not None:
        return decode_key(configured)
    path = data_dir(env) / _DEV_KEY_FILE
    log.warning(
        "%s is not set: encrypting tokens with the development key file %s; set %s in "
        "production (losing that file makes stored tokens unreadable)",
        SECRET_KEY_VAR,
        path,
        SECRET_KEY_VAR,
    )
    return _dev_key(path)


def _dev_key(path: Path) -> bytes:
    """Read the dev key file, or create it atomically (0600) when absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii") + "\n")
            os.link(tmp, path)  # atomic create: a concurrent creator's key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretKeyError(
            f"development key file {path} is readable by others (mode {mode:o}); "
            f"run `chmod 600 {path}`"
        )
    return decode_key(path.read_text(encoding="ascii"), source=f"key file {path}")
