"""Dependency injection: signature analysis at startup, a flat plan run per request."""
