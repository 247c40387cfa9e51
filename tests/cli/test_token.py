"""`specgen token`: a development JWT signed with JWT_SECRET, or a clear refusal."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import jwt
import pytest

from tests.cli.helpers import assert_no_traceback
from tests.support import REPO, TEST_SECRET, specgen

JWT_VARIABLES = ("JWT_SECRET", "JWT_PUBLIC_KEY", "JWT_ALGORITHMS", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_LEEWAY")


@pytest.fixture
def empty_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory with no .env, and no JWT settings inherited from the test's environment."""
    for name in JWT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "project"
    project.mkdir()
    return project


def token(project: Path, *args: str, secret: str | None = TEST_SECRET) -> subprocess.CompletedProcess[str]:
    env = {"JWT_SECRET": secret} if secret is not None else None
    return specgen("token", "--project", str(project), *args, cwd=REPO, env=env)


def decode(encoded: str, secret: str = TEST_SECRET) -> dict[str, object]:
    return dict(jwt.decode(encoded, secret, algorithms=["HS256"]))


def test_token_is_an_hs256_jwt_for_the_sub_that_expires_after_the_ttl(empty_project: Path) -> None:
    before = int(time.time())
    result = token(empty_project, "--sub", "alice", "--ttl", "120")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    encoded = result.stdout.strip()
    assert encoded.count(".") == 2 and "\n" not in encoded
    assert jwt.get_unverified_header(encoded)["alg"] == "HS256"
    payload = decode(encoded)
    assert payload["sub"] == "alice"
    assert payload["exp"] - payload["iat"] == 120  # type: ignore[operator]
    assert before <= payload["iat"] <= int(time.time())  # type: ignore[operator]


def test_token_default_ttl_is_one_hour(empty_project: Path) -> None:
    payload = decode(token(empty_project, "--sub", "alice").stdout.strip())
    assert payload["exp"] - payload["iat"] == 3600  # type: ignore[operator]


def test_token_does_not_verify_with_another_secret(empty_project: Path) -> None:
    encoded = token(empty_project, "--sub", "alice").stdout.strip()
    with pytest.raises(jwt.InvalidSignatureError):
        decode(encoded, secret="another-secret-" + "x" * 40)


def test_token_extra_claim_appears_in_the_payload(empty_project: Path) -> None:
    result = token(empty_project, "--sub", "alice", "--claim", "role=admin", "--claim", "team=red=blue")
    assert result.returncode == 0, result.stderr
    payload = decode(result.stdout.strip())
    assert payload["role"] == "admin"
    assert payload["team"] == "red=blue"  # only the first '=' separates key and value
    assert payload["sub"] == "alice"


def test_token_claim_without_equals_sign_is_a_usage_error_exit_2(empty_project: Path) -> None:
    result = token(empty_project, "--sub", "alice", "--claim", "role")
    assert result.returncode == 2
    assert "KEY=VALUE" in result.stderr
    assert result.stdout == ""


def test_token_without_sub_is_a_usage_error_exit_2(empty_project: Path) -> None:
    result = token(empty_project)
    assert result.returncode == 2
    assert "--sub" in result.stderr


def test_token_with_a_ttl_below_one_second_is_a_usage_error_exit_2(empty_project: Path) -> None:
    result = token(empty_project, "--sub", "alice", "--ttl", "0")
    assert result.returncode == 2
    assert "Invalid value for '--ttl': 0 is not in the range 1<=x" in result.stderr, result.stderr
    assert result.stdout == ""
    one = token(empty_project, "--sub", "alice", "--ttl", "1")
    assert one.returncode == 0, one.stderr
    payload = decode(one.stdout.strip())
    assert payload["exp"] - payload["iat"] == 1  # type: ignore[operator]


def test_token_without_jwt_secret_exits_1_naming_jwt_secret(empty_project: Path) -> None:
    result = token(empty_project, "--sub", "alice", secret=None)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "JWT_SECRET" in result.stderr
    assert result.stdout == ""


def test_token_with_a_secret_shorter_than_32_bytes_exits_1(empty_project: Path) -> None:
    result = token(empty_project, "--sub", "alice", secret="s" * 31)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "JWT_SECRET" in result.stderr and "32" in result.stderr
    assert result.stdout == ""


def test_token_with_a_secret_of_exactly_32_bytes_is_accepted(empty_project: Path) -> None:
    secret = "s" * 32
    result = token(empty_project, "--sub", "alice", secret=secret)
    assert result.returncode == 0, result.stderr
    assert decode(result.stdout.strip(), secret=secret)["sub"] == "alice"


def test_token_reads_jwt_secret_from_the_project_dotenv(empty_project: Path) -> None:
    secret = "dotenv-secret-" + "d" * 40
    (empty_project / ".env").write_text(f"JWT_SECRET={secret}\n")
    result = token(empty_project, "--sub", "bob", secret=None)
    assert result.returncode == 0, result.stderr
    assert decode(result.stdout.strip(), secret=secret)["sub"] == "bob"


def test_token_refuses_asymmetric_deployments(empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_ALGORITHMS", "RS256")
    monkeypatch.setenv("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----")
    result = token(empty_project, "--sub", "alice", secret=None)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "JWT_SECRET" in result.stderr


def test_token_refuses_a_claim_that_would_override_sub_or_expiry(tmp_path: Path) -> None:
    for claim in ("sub=bob", "exp=1", "iat=1"):
        result = specgen(
            "token", "--project", str(tmp_path), "--sub", "alice", "--claim", claim, env={"JWT_SECRET": "s" * 40}
        )
        assert result.returncode == 2, claim
        assert "Traceback" not in result.stderr
        key = claim.partition("=")[0]
        assert f"Invalid value for --claim: {key} is set by --sub/--ttl or the configuration" in result.stderr
        assert result.stdout == ""
