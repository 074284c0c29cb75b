"""An app whose lifespan start-up fails: the server must exit with code 3."""


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "cannot reach the database"})
