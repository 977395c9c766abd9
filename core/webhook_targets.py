"""Where webhooks may not be sent: the server's own networks.

A webhook makes the server send requests where a workspace says, so a target on loopback, a
private or link-local network (the cloud metadata service at 169.254.169.254 among them) would
let any workspace admin reach what only the server can. Targets are checked when a webhook is
created, again before each delivery, and a last time as the connection is made: the delivery
connects to the very address that was checked, never to a second answer of the name server (a
name may be pointed elsewhere after it was accepted, or between two lookups, which is what DNS
rebinding does). Operators who deliver inside their own network list those networks in
``webhook_allowed_networks``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlparse

import httpcore
import httpx

__all__ = ["GuardedTransport", "TargetRefused", "refused_target", "resolve_host"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[Address]]]


def _internal(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def resolve_host(host: str) -> list[Address]:
    """The addresses ``host`` stands for; none when it does not resolve (delivery will fail)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return []
    # An IPv6 address may carry its zone ("fe80::1%eth0"), which ip_address does not read.
    return [ipaddress.ip_address(str(item[4][0]).split("%")[0]) for item in found]


def _refused_address(
    host: str, addresses: Iterable[Address], allowed_networks: Iterable[str]
) -> str | None:
    allowed = [ipaddress.ip_network(network, strict=False) for network in allowed_networks]
    for address in addresses:
        if _internal(address) and not any(address in network for network in allowed):
            return f"{host} is an internal address ({address}); webhooks go to public hosts"
    return None


async def refused_target(
    url: str, allowed_networks: Iterable[str] = (), resolve: Resolver | None = None
) -> str | None:
    """Why ``url`` may not receive webhooks, or None when it may."""
    host = urlparse(url).hostname
    if not host:
        return "the URL names no host"
    return _refused_address(host, await (resolve or resolve_host)(host), allowed_networks)


class TargetRefused(httpcore.ConnectError):
    """The host resolved to an address webhooks may not reach."""


class _GuardedNetwork(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses internal addresses, and connects to one it checked."""

    def __init__(self, allowed_networks: Sequence[str], resolve: Resolver) -> None:
        self._allowed = tuple(allowed_networks)
        self._resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        if refused := _refused_address(host, addresses, self._allowed):
            raise TargetRefused(refused)
        problem: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # the next address may answer
                problem = exc
        assert problem is not None
        raise problem

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("webhooks are not sent to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over connections that only reach the addresses webhooks may.

    Host header and TLS server name stay the URL's host; only the TCP connection is made to the
    checked address. No proxy from the environment is used: it would do its own resolving.
    """

    def __init__(
        self, allowed_networks: Sequence[str] = (), resolve: Resolver | None = None
    ) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend of its own, so its pool is replaced by one that has
        # ours, with httpx's defaults (a test checks that connections go through the guard).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            network_backend=_GuardedNetwork(allowed_networks, resolve or resolve_host),
        )
