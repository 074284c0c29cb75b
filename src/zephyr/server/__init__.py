"""zephyr's HTTP/1.1 server: an ASGI 3 server on uvloop + httptools (Uvicorn's role)."""
