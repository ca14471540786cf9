"""Serving an aiohttp application on HOST:PORT: the AWS-compatible endpoint and /metrics alike."""

from __future__ import annotations

import ssl

from aiohttp import web


async def serve_app(app: web.Application, listen: str,
                    ssl_context: ssl.SSLContext | None = None) -> tuple[web.AppRunner, int]:
    """Listen with `app` on HOST:PORT (`[::1]:0` too; port 0: any free one): its runner, to clean
    up on stop, and the port bound. A listen that fails leaves nothing running."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    host, _, port = listen.rpartition(":")
    site = web.TCPSite(runner, host.strip("[]"), int(port), ssl_context=ssl_context)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    server = site._server  # aiohttp exposes the bound port only through the asyncio server
    return runner, server.sockets[0].getsockname()[1] if server and server.sockets else int(port)
