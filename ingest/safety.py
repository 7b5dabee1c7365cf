"""Which URLs Footnote may fetch: HTTP(S) only, allowed ports, no private or metadata addresses.

The address check runs where the socket is opened (a network backend under httpx), on the very
addresses the connection uses: redirects are checked hop by hop, and a DNS answer that changes
between a check and the connection (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

import httpcore
import httpx

from rag.errors import IngestError

# Cloud metadata services: refused even when private networks are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
PRIVATE_HINT = (
    "Footnote refuses private, loopback, link-local and metadata addresses by default; "
    "for an intranet site set allow_private_networks = true (FOOTNOTE_ALLOW_PRIVATE_NETWORKS=1)"
)

Resolver = Callable[[str, int], list[str]]


class UnsafeURLError(IngestError):
    """A URL that the network policy refuses to fetch."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise IngestError(f"{host} does not resolve ({exc.strerror}); check the URL") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_ports(text: str) -> frozenset[int] | None:
    """'80,443' -> {80, 443}; '' or '*' -> None (any port)."""
    text = text.strip()
    if text in ("", "*"):
        return None
    try:
        return frozenset(int(p) for p in text.replace(" ", "").split(",") if p)
    except ValueError:
        raise IngestError(
            f"allowed_ports={text!r} is not a comma-separated list of port numbers"
        ) from None


@dataclass(frozen=True)
class NetworkPolicy:
    allow_private: bool = False
    allowed_ports: frozenset[int] | None = frozenset({80, 443, 8080, 8443})
    resolver: Resolver = system_resolver

    def check_url(self, url: str | httpx.URL) -> None:
        """Refuse non-HTTP schemes and ports outside the allowed list."""
        parsed = httpx.URL(str(url))
        if parsed.scheme not in ("http", "https"):
            raise UnsafeURLError(
                f"{url} uses the {parsed.scheme or 'no'} scheme; only http and https are fetched"
            )
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if self.allowed_ports is not None and port not in self.allowed_ports:
            allowed = ",".join(str(p) for p in sorted(self.allowed_ports))
            raise UnsafeURLError(
                f"{url} uses port {port}, not in allowed_ports ({allowed}); "
                "add it to allowed_ports (or '*' for any port)"
            )

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; refuse if any of them is off limits."""
        found = self.resolver(host, port)
        if not found:
            raise IngestError(f"{host} does not resolve to any address; check the URL")
        for text in found:
            why = self.refusal(text)
            if why:
                raise UnsafeURLError(f"{host} resolves to {text}, {why}")
        return found

    def refusal(self, text: str) -> str:
        """Why an address is refused, or '' if it may be fetched."""
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if ip in METADATA_ADDRESSES:
            return "a cloud metadata service address; Footnote never fetches it"
        if ip.is_global or self.allow_private:
            return ""
        kind = (
            "a loopback"
            if ip.is_loopback
            else "a link-local"
            if ip.is_link_local
            else "a private or reserved"
        )
        return f"{kind} address. {PRIVATE_HINT}"


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the policy allows, and to exactly those."""

    def __init__(self, policy: NetworkPolicy):
        self.policy, self.inner = policy, httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last: Exception | None = None
        for address in self.policy.addresses(host, port):
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, *args, **kwargs):
        raise UnsafeURLError("Unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx transport that applies a NetworkPolicy to every request, redirects included."""

    def __init__(self, policy: NetworkPolicy, max_connections: int = 20):
        super().__init__(trust_env=False)
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            network_backend=_GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_url(request.url)
        return super().handle_request(request)


def guarded_client(
    policy: NetworkPolicy,
    *,
    timeout: float,
    user_agent: str,
    follow_redirects: bool,
    max_connections: int = 20,
) -> httpx.Client:
    """An httpx client under the policy (environment proxies ignored: they would bypass it)."""
    return httpx.Client(
        transport=GuardedTransport(policy, max_connections),
        timeout=timeout,
        follow_redirects=follow_redirects,
        headers={"User-Agent": user_agent},
        trust_env=False,
    )
