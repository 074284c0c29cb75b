"""The zephyr command line: parsing, help, mapping onto Config."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

import zephyr
from zephyr.cli import build_parser, config_from_args, main
from zephyr.server._build import core_compiled
from zephyr.server.config import Config


def parse(*argv: str) -> Config:
    return config_from_args(build_parser().parse_args(list(argv)))


@pytest.mark.parametrize("command", ["run", "dev"])
def test_help_lists_every_config_field(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    skip = {"app", "log_config", "reload_dirs", "reload_includes", "reload_excludes", "headers"}
    for field in dataclasses.fields(Config):
        if field.name not in skip:
            assert "--" + field.name.replace("_", "-") in text, field.name
    for option in ("--reload-dir", "--reload-include", "--reload-exclude", "--header",
                   "--log-config", "--no-proxy-headers", "--compat"):  # fmt: skip
        assert option in text
    assert "(default: 8000)" in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"zephyr {zephyr.__version__}" in out
    # Which build of the server core runs (scripts/test-compiled runs this too).
    core = "compiled" if core_compiled() else "pure-Python"
    assert f", {core} server core)" in out


def test_run_defaults() -> None:
    config = parse("run")
    assert config.app == "."
    assert (config.host, config.port, config.reload, config.debug) == (
        "0.0.0.0",
        8000,
        False,
        False,
    )
    assert config.workers == 1 and config.lifespan == "auto"
    assert config.proxy_headers and config.use_colors is None


def test_dev_defaults() -> None:
    config = parse("dev", "main:app")
    assert config.app == "main:app"
    assert (config.host, config.reload, config.debug) == ("127.0.0.1", True, True)
    assert not parse("dev", "--no-reload").reload


def test_options_map_to_config(tmp_path: Path) -> None:
    log_json = tmp_path / "log.json"
    log_json.write_text(json.dumps({"version": 1}))
    config = parse(
        "run", "pkg.main:api", "--host", "::1", "--port", "0", "--uds", "/tmp/x.sock",
        "--fd", "3", "--backlog", "10", "--workers", "3", "--factory", "--app-dir", "src",
        "--lifespan", "on", "--root-path", "/api", "--no-proxy-headers",
        "--forwarded-allow-ips", "10.0.0.0/8,::1", "--no-server-header", "--no-date-header",
        "--header", "X-A: 1", "--header", "X-B:two:parts", "--log-level", "trace",
        "--no-access-log", "--use-colors", "--log-config", str(log_json),
        "--max-request-line-size", "100", "--max-header-size", "200",
        "--max-header-count", "7", "--max-body-size", "1000", "--limit-concurrency", "5",
        "--limit-max-requests", "50", "--timeout-keep-alive", "1.5",
        "--timeout-request-header", "2", "--timeout-graceful-shutdown", "3",
        "--timeout-worker-healthcheck", "4", "--ssl-certfile", "c.pem", "--ssl-keyfile",
        "k.pem", "--ssl-keyfile-password", "pw", "--ssl-ca-certs", "ca.pem",
        "--ssl-ciphers", "HIGH", "--ssl-cert-reqs", "2", "--high-water-mark", "1024",
        "--low-water-mark", "512", "--read-buffer-high-water", "2048", "--debug",
    )  # fmt: skip
    expected = {
        "app": "pkg.main:api", "host": "::1", "port": 0, "uds": "/tmp/x.sock", "fd": 3,
        "backlog": 10, "workers": 3, "factory": True, "app_dir": "src", "lifespan": "on",
        "root_path": "/api", "proxy_headers": False, "forwarded_allow_ips": "10.0.0.0/8,::1",
        "server_header": False, "date_header": False,
        "headers": [("X-A", "1"), ("X-B", "two:parts")], "log_level": "trace",
        "access_log": False, "use_colors": True, "log_config": {"version": 1},
        "max_request_line_size": 100, "max_header_size": 200, "max_header_count": 7,
        "max_body_size": 1000, "limit_concurrency": 5, "limit_max_requests": 50,
        "timeout_keep_alive": 1.5, "timeout_request_header": 2.0,
        "timeout_graceful_shutdown": 3.0, "timeout_worker_healthcheck": 4.0,
        "ssl_certfile": "c.pem", "ssl_keyfile": "k.pem", "ssl_keyfile_password": "pw",
        "ssl_ca_certs": "ca.pem", "ssl_ciphers": "HIGH", "ssl_cert_reqs": 2,
        "high_water_mark": 1024, "low_water_mark": 512, "read_buffer_high_water": 2048,
        "debug": True, "reload": False,
    }  # fmt: skip
    for name, value in expected.items():
        assert getattr(config, name) == value, name
    reload_config = parse(
        "dev", "--reload-dir", "a", "--reload-dir", "b", "--reload-include", "*.html",
        "--reload-exclude", "tmp_*",
    )  # fmt: skip
    assert reload_config.reload_dirs == ["a", "b"]
    assert reload_config.reload_includes == ["*.html"]
    assert reload_config.reload_excludes == ["tmp_*"]


def test_ini_log_config_passes_path(tmp_path: Path) -> None:
    ini = tmp_path / "log.ini"
    ini.write_text("[loggers]\nkeys=root\n")
    assert parse("run", "--log-config", str(ini)).log_config == str(ini)  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--header", "nocolon"], "NAME:VALUE"),
        (["run", "--port", "http"], "invalid int"),
        (["run", "--lifespan", "maybe"], "invalid choice"),
        (["run", "--log-level", "loud"], "invalid choice"),
        (["run", "--reload", "--workers", "2"], "mutually exclusive"),
        (["run", "--log-config", "/nonexistent/log.json"], "not found"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_compat_flag_reaches_config() -> None:
    assert parse("run", "--compat", "main:app").compat is True
    assert parse("run", "main:app").compat is False


def test_python_dash_m_zephyr() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zephyr", "dev", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0
    assert "--reload" in result.stdout


def test_missing_app_exits_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zephyr", "run", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "Could not find an app file" in result.stderr
