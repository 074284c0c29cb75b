"""The routing modules import one another in one direction only (no import cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import zephyr
import zephyr.routing

SRC = Path(zephyr.__file__).parent


def _zephyr_imports(module: str) -> set[str]:
    """Return the ``zephyr`` modules a module's source imports, at any depth of its code."""
    tree = ast.parse((SRC / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zephyr"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("zephyr"))
    return found


def test_route_primitives_do_not_import_the_router() -> None:
    for module in ("_routes", "_websocket_routing"):
        assert "zephyr.routing" not in _zephyr_imports(module), module


def test_host_and_mount_are_plain_module_attributes() -> None:
    # Defined next to Router, not loaded on first attribute access.
    names = vars(zephyr.routing)
    for name in ("Host", "Mount", "WebSocketRoute", "websocket_session", "Route", "BaseRoute"):
        assert name in names, name
    assert names["Mount"].__module__ == "zephyr.routing"
    assert names["Host"].__module__ == "zephyr.routing"
    assert "Mount" not in zephyr.routing._LAZY_NAMES
    assert "Host" not in zephyr.routing._LAZY_NAMES


def test_router_mount_and_host_build_the_exported_classes() -> None:
    router = zephyr.routing.Router()
    router.mount("/sub", app=zephyr.routing.Router(), name="sub")
    router.host("api.example.com", app=zephyr.routing.Router(), name="api")
    mount, host = router.routes
    assert type(mount) is zephyr.routing.Mount and mount.path == "/sub"
    assert type(host) is zephyr.routing.Host and host.host == "api.example.com"
