"""A minimal HTTP/1.1 keep-alive client for load generation: a request costs the client a few
tens of microseconds, where a general client (httpx) costs milliseconds, which on a two-core
machine would make the client, not the server, what a soak measures.

It speaks only what Rapport's server answers: ``Content-Length`` bodies, no chunking.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson

__all__ = ["Answer", "Connection"]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class Connection:
    """One kept-alive connection; reconnects on the next request after a failure."""

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self._host, self._port = host, port
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/json\r\n{extra}"
        ).encode()
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, body: object) -> Answer:
        """POST ``body`` as JSON; a caller bounds the wait with ``asyncio.timeout``."""
        try:
            return await self._exchange(orjson.dumps(body))
        except BaseException:
            self.close()
            raise

    async def _exchange(self, payload: bytes) -> Answer:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        writer.write(self._head + b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = 0
        closing = False
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                closing = True
        body = await reader.readexactly(length)
        if closing:
            self.close()
        return Answer(int(status_line.split(" ", 2)[1]), body)

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
