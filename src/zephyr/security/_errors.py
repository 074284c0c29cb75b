"""The one error every security dependency raises: 401 with a challenge."""

from __future__ import annotations

from zephyr.exceptions import HTTPException


def not_authenticated(challenge: str) -> HTTPException:
    """Build the 401 error sent when credentials are missing or malformed.

    Args:
        challenge: The ``WWW-Authenticate`` value (RFC 9110 section 11.6.1),
            e.g. ``"Bearer"`` or ``'Basic realm="api"'``.

    Returns:
        An ``HTTPException`` with status 401 and detail ``"Not authenticated"``.
    """
    return HTTPException(
        status_code=401, detail="Not authenticated", headers={"WWW-Authenticate": challenge}
    )
