"""Production settings refuse unsafe defaults; the production example passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY"))}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _example_env():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value.strip('"')
    return values


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _manage("check", env={"DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_secret_key_shorter_than_50_characters_when_debug_is_off():
    result = _manage("check", env={"DEBUG": "0", "SECRET_KEY": "x" * 49, "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is too short (49 characters)" in result.stderr
    assert "x" * 49 not in result.stderr  # the key itself is never printed


def test_it_accepts_a_secret_key_of_50_characters_when_debug_is_off(tmp_path):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "x.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = _manage("check", env={"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_rejects_a_misspelt_boolean():
    result = _manage("check", env={"DEBUG": "flase"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_check_deploy_is_silent_with_the_production_example(tmp_path):
    env = _example_env()
    # The example points at the compose services; the check itself needs no database.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_wsgi_entry_point_sets_its_start_up_objects_aside_from_the_garbage_collector():
    """gunicorn's workers import ``config.wsgi``: the URLconf is loaded and the start-up's
    objects frozen there, so that a full collection does not walk the whole loaded project
    in the middle of a request."""
    import subprocess
    import sys

    code = (
        "import gc, sys, config.wsgi; print(gc.get_freeze_count(), 'missions.views' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert int(out[0]) > 50_000 and out[1] == "True", out
