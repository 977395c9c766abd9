"""Where webhooks may not be sent: the server's own networks.

A webhook makes the server send requests where a workspace says, so a target on loopback, a
private or link-local network (the cloud metadata service at 169.254.169.254 among them) would
let any workspace admin reach what only the server can. Targets are checked when a webhook is
created and again before each delivery, against what the name resolves to then (a name may be
pointed elsewhere after it was accepted). Operators who deliver inside their own network list
those networks in ``webhook_allowed_networks``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlparse

__all__ = ["refused_target"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


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


async def _addresses(host: str) -> list[Address]:
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


async def refused_target(url: str, allowed_networks: Iterable[str] = ()) -> str | None:
    """Why ``url`` may not receive webhooks, or None when it may."""
    host = urlparse(url).hostname
    if not host:
        return "the URL names no host"
    allowed = [ipaddress.ip_network(network, strict=False) for network in allowed_networks]
    for address in await _addresses(host):
        if _internal(address) and not any(address in network for network in allowed):
            return f"{host} is an internal address ({address}); webhooks go to public hosts"
    return None
