"""Which address a request comes from, believing `X-Forwarded-For` only from trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Trusted proxy addresses or networks ("10.0.0.1", "10.0.0.0/8").

    Raises:
        ValueError: A value that is neither.
    """
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: str | None, networks: list[Network]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy.

    Behind trusted proxies, `X-Forwarded-For` is read from the right (each proxy appends the
    address it saw) and the first address that is not a trusted proxy is the client; what a
    client wrote at the left cannot choose its own address.

    >>> client_address("127.0.0.1", "1.2.3.4", [])
    '127.0.0.1'
    >>> nets = parse_networks(["10.0.0.1"])
    >>> client_address("10.0.0.1", "6.6.6.6, 203.0.113.7", nets)
    '203.0.113.7'
    """
    if not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer
