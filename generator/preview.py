"""`arxiv-digest serve`: site/ over HTTP on this machine, as GitHub Pages serves it.

Exactly what deploys, search included (`mkdocs serve` would rebuild without the
search index); a folder without index.html is a 404, never a listing.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import os
import socket
from http import HTTPStatus
from pathlib import Path

from generator.config import excerpt
from generator.errors import DigestError

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
ADDRESS_FORMS = "IP:PORT, localhost:PORT, [IPv6]:PORT, a host alone or :PORT"


def parse_address(text: str) -> tuple[str, int]:
    """`--dev-addr` as MkDocs reads it (IP:PORT, with `localhost` or `[IPv6]` as the
    host), or with one half left out: `localhost` serves on port 8000, `:8001` on
    127.0.0.1. A port alone is refused: `8001` could be either half."""
    if ":" not in text or (text.startswith("[") and text.endswith("]")):
        host, port = text, str(DEFAULT_PORT)
    else:
        host, _, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        host = host if host == "localhost" else str(ipaddress.ip_address(host or DEFAULT_HOST))
        if not (text and port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(port)
    except ValueError as exc:
        hint = f"; a port alone is :{text}" if text.isdigit() else ""
        raise DigestError(
            f"--dev-addr: expected {ADDRESS_FORMS}, got {excerpt(text)}{hint}"
        ) from exc
    return host, int(port)


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")


class _Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET


class _Server6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def site_server(root: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """A server of `root`/site bound to host:port (port 0: any free one), not yet serving."""
    handler = functools.partial(_PagesHandler, directory=str(root / "site"))
    server_class = _Server6 if ":" in host else _Server
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise DigestError(f"cannot serve on {_url(host, port)}: {exc.strerror or exc}") from exc


def serve_site(root: Path, host: str, port: int) -> None:
    """Serve the built site/ until interrupted."""
    with site_server(root, host, port) as server:
        print(f"serving {root / 'site'} on {_url(host, port)} (Ctrl+C stops)")
        server.serve_forever()


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
