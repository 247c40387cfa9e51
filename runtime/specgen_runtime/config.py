"""Runtime settings, read once from the environment and the project's .env file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HS_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
MIN_HS_SECRET_BYTES = 32
# The request line and headers (runtime/limits.py): 414 past the first, 431 past the others.
HEAD_LIMITS = {
    "MAX_URL_BYTES": 8 * 1024,
    "MAX_HEADER_BYTES": 16 * 1024,
    "MAX_HEADERS_BYTES": 64 * 1024,
    "MAX_HEADER_COUNT": 100,
}


class ConfigError(Exception):
    """The server cannot start with this configuration; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    database_url: str
    jwt_secret: str | None
    jwt_public_key: str | None
    jwt_jwks_url: str | None
    jwt_jwks_ttl: float
    jwt_jwks_cooldown: float
    jwt_algorithms: tuple[str, ...]
    jwt_issuer: str | None
    jwt_audience: str | None
    jwt_leeway: float
    max_body_bytes: int
    max_url_bytes: int
    max_header_bytes: int
    max_headers_bytes: int
    max_header_count: int
    create_tables: bool
    cors_origins: tuple[str, ...]
    sqlite_busy_timeout_ms: int
    db_pool_size: int
    db_max_overflow: int
    db_pool_timeout: float


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; quotes stripped; comments and blank lines skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _environment(project_dir: Path, environ: dict[str, str] | None) -> dict[str, str]:
    return {**read_dotenv(project_dir / ".env"), **(os.environ if environ is None else environ)}


def database_url(project_dir: Path, environ: dict[str, str] | None = None) -> str:
    """DATABASE_URL from the environment or .env; the project's SQLite file by default."""
    return _environment(project_dir, environ).get("DATABASE_URL") or f"sqlite:///{(project_dir / 'app.db').as_posix()}"


def load_settings(project_dir: Path, environ: dict[str, str] | None = None) -> Settings:
    env = _environment(project_dir, environ)

    def get(key: str) -> str | None:
        value = env.get(key)
        return value if value not in (None, "") else None

    algorithms = tuple(a.strip() for a in (get("JWT_ALGORITHMS") or "HS256").split(",") if a.strip())
    unknown = [a for a in algorithms if a not in HS_ALGORITHMS + ASYMMETRIC_ALGORITHMS]
    if unknown or not algorithms:
        raise ConfigError(f"JWT_ALGORITHMS: unsupported algorithm(s) {', '.join(unknown) or '(none)'}")
    symmetric = [a for a in algorithms if a in HS_ALGORITHMS]
    if symmetric and len(symmetric) != len(algorithms):
        raise ConfigError("JWT_ALGORITHMS mixes HS* with asymmetric algorithms: use one family per deployment")
    secret, public_key, jwks_url = get("JWT_SECRET"), get("JWT_PUBLIC_KEY"), get("JWT_JWKS_URL")
    if symmetric:
        if secret is None:
            raise ConfigError(
                "JWT_SECRET is not set: the server refuses to start without a key (make run writes a development one to .env)"
            )
        if len(secret.encode()) < MIN_HS_SECRET_BYTES:
            raise ConfigError(
                f"JWT_SECRET is shorter than {MIN_HS_SECRET_BYTES} bytes: use a random secret, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
    elif public_key is None and jwks_url is None:
        raise ConfigError("asymmetric JWT_ALGORITHMS need JWT_PUBLIC_KEY (a PEM public key) or JWT_JWKS_URL")
    elif public_key is not None and jwks_url is not None:
        raise ConfigError("set JWT_PUBLIC_KEY or JWT_JWKS_URL, not both")
    if public_key is not None and public_key.startswith("@"):
        try:
            public_key = Path(public_key[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"JWT_PUBLIC_KEY: cannot read {public_key[1:]}: {exc.strerror}") from None
    if jwks_url is not None and not jwks_url.startswith(("https://", "http://")):
        raise ConfigError("JWT_JWKS_URL must be an http(s) URL")
    try:
        leeway = float(get("JWT_LEEWAY") or 0)
        max_body = int(get("MAX_BODY_BYTES") or 1024 * 1024)
        jwks_ttl = float(get("JWT_JWKS_TTL") or 300)
        jwks_cooldown = float(get("JWT_JWKS_COOLDOWN") or 30)
        busy_timeout = int(get("SQLITE_BUSY_TIMEOUT_MS") or 5000)
        pool_size = int(get("DB_POOL_SIZE") or 10)
        max_overflow = int(get("DB_MAX_OVERFLOW") or 10)
        pool_timeout = float(get("DB_POOL_TIMEOUT") or 5)
        head_limits = {key: int(get(key) or default) for key, default in HEAD_LIMITS.items()}
    except ValueError as exc:
        raise ConfigError(f"a numeric setting is not a number ({exc})") from None
    for key, value in head_limits.items():
        if value < 1:
            raise ConfigError(f"{key} must be a positive number of bytes (or headers)")
    return Settings(
        project_dir=project_dir,
        database_url=database_url(project_dir, environ),
        jwt_secret=secret if symmetric else None,
        jwt_public_key=public_key if not symmetric else None,
        jwt_jwks_url=jwks_url if not symmetric else None,
        jwt_jwks_ttl=jwks_ttl,
        jwt_jwks_cooldown=jwks_cooldown,
        jwt_algorithms=algorithms,
        jwt_issuer=get("JWT_ISSUER"),
        jwt_audience=get("JWT_AUDIENCE"),
        jwt_leeway=leeway,
        max_body_bytes=max_body,
        max_url_bytes=head_limits["MAX_URL_BYTES"],
        max_header_bytes=head_limits["MAX_HEADER_BYTES"],
        max_headers_bytes=head_limits["MAX_HEADERS_BYTES"],
        max_header_count=head_limits["MAX_HEADER_COUNT"],
        # create_all is for throwaway test databases; real ones move by `specgen upgrade`
        create_tables=(get("SPECGEN_CREATE_TABLES") or "0") in ("1", "true", "yes"),
        cors_origins=tuple(o.strip() for o in (get("CORS_ORIGINS") or "").split(",") if o.strip()),
        sqlite_busy_timeout_ms=busy_timeout,
        db_pool_size=pool_size,
        db_max_overflow=max_overflow,
        db_pool_timeout=pool_timeout,
    )
