"""IP address condition operators: IpAddress and NotIpAddress, IPv4 and IPv6, CIDR or single address.

An address of the other family is simply outside the range. A request value that is not an
IP address never satisfies either operator.
"""

from __future__ import annotations

import ipaddress

from .base import MATCH, NO_MATCH, UNKNOWN, ConditionOperator, Context, ValueMatcher

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> _Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def check_network(text: str) -> str | None:
    if parse_network(text) is None:
        return f"`{text}` is not an IP address or CIDR block"
    return None


def build_ip(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    networks = tuple(n for n in (parse_network(v) for v in values) if n is not None)

    def match(rv: str, _ctx: Context, _missing: list[str] | None) -> int:
        try:
            address = ipaddress.ip_address(rv.strip())
        except ValueError:
            return UNKNOWN
        for network in networks:
            # INVARIANT: `in` is False across families, never an error.
            if address in network:
                return MATCH
        return NO_MATCH

    return match


OPERATORS = (
    ConditionOperator("IpAddress", "IpAddress", False, False, False, check_network, build_ip),
    ConditionOperator("NotIpAddress", "IpAddress", True, False, False, check_network, build_ip),
)
