"""The request-body clock: a body that stalls or trickles is timed out, cheaply.

Kestrel's approach (MinRequestBodyDataRate): after a grace period the body's
average rate must stay above a minimum; separately, a body may not go
without new bytes for longer than a read timeout. Nothing happens per chunk:
the connection's one timer calls :meth:`BodyClock.check` once a tick with
the byte count received so far.
"""

from __future__ import annotations

__all__ = ["BodyClock"]

_TICK = 1.0  # seconds between checks


class BodyClock:
    """Progress marks of the request body in flight on one connection.

    Args:
        read_timeout: Seconds without a new byte before timing out; 0 is off.
        min_rate: Slowest average rate, bytes/s, once ``grace`` has passed;
            0 is off.
        grace: Seconds before ``min_rate`` applies.
    """

    def __init__(self, read_timeout: float, min_rate: float, grace: float) -> None:
        self.read_timeout = read_timeout
        self.min_rate = min_rate
        self.grace = grace
        self.enabled = bool(read_timeout or min_rate)
        self.tick = min(_TICK, read_timeout or _TICK)
        self.rate_since = 0.0
        self.rate_bytes = 0
        self.stall_since = 0.0
        self.stall_bytes = 0
        self.held = False

    def start(self, now: float, received: int) -> None:
        """Start both clocks at ``now`` with ``received`` bytes already in."""
        self.held = False
        self.rate_since = self.stall_since = now
        self.rate_bytes = self.stall_bytes = received

    def check(self, now: float, received: int, reading: bool) -> str | None:
        """Take one sample; say why the body timed out, or None.

        Args:
            now: The loop time, seconds.
            received: Body bytes received so far.
            reading: False while the server is not reading (the app has not
                asked for the body or is behind, a request is queued): the
                client cannot send, so that time does not count.

        Returns:
            The reason for a 408, or None while the body keeps up.
        """
        if not reading:
            self.held = True
            return None
        if self.held:
            # Reading again since some time before this tick: the clocks
            # start now, not at the tick that saw the pause.
            self.start(now, received)
            return None
        if received != self.stall_bytes:
            self.stall_bytes = received
            self.stall_since = now
        elif self.read_timeout and now - self.stall_since >= self.read_timeout:
            return f"no request body data for {self.read_timeout:g} s"
        elapsed = now - self.rate_since
        rate = self.min_rate
        if rate and elapsed >= self.grace and received - self.rate_bytes < rate * elapsed:
            return f"request body slower than {rate:g} bytes/s"
        return None
