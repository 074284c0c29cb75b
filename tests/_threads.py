"""A guard for the test-client session tests, whose failure mode is a hang: a bounded thread."""

from __future__ import annotations

import threading
from collections.abc import Callable


def within(seconds: float, body: Callable[[], None]) -> None:
    """Run ``body`` in a thread; fail (instead of hanging) if it has not ended in time.

    Args:
        seconds: How long the body may take.
        body: The test's action; an exception it raises is raised here.

    Raises:
        AssertionError: When ``body`` is still running after ``seconds``.
    """
    errors: list[BaseException] = []

    def target() -> None:
        try:
            body()
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the session did not end within {seconds} s"
    if errors:
        raise errors[0]
