"""``repr()`` of parameter markers shows the default as ``str()`` spells it.

``Query("abc")`` is ``Query(abc)`` and a required marker (no default, or
``...``) is ``Path(PydanticUndefined)``, the spelling FastAPI users see in
tracebacks and debuggers.
"""

from __future__ import annotations

import pytest

from zephyr.params import Body, Cookie, File, Form, Header, Param, Path, Query


@pytest.mark.parametrize("marker", [Param, Query, Header, Cookie, Body, Form, File])
def test_repr_of_a_default(marker: type[Param]) -> None:
    name = marker.__name__
    assert repr(marker("abc")) == f"{name}(abc)"
    assert repr(marker(None)) == f"{name}(None)"
    assert repr(marker(3)) == f"{name}(3)"
    assert repr(marker([])) == f"{name}([])"
    assert repr(marker(...)) == f"{name}(PydanticUndefined)"


def test_repr_of_a_required_path() -> None:
    assert repr(Path()) == "Path(PydanticUndefined)"
