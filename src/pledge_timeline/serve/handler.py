"""The HTTP side: a request handler that answers with whole files, and the server that runs it.

The server accepts connections and hands them to a ``ConnectionPool``: no thread per connection,
so a burst of idle connections never keeps a request waiting. Each connection keeps one handler
(with its buffered reader) from request to request.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import socketserver
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Final

from pledge_timeline import __version__
from pledge_timeline.serve.connections import Connection, ConnectionPool, Outcome
from pledge_timeline.serve.files import (
    GZIP_SUFFIX,
    INDEX_PAGE,
    GzipCache,
    OutputFolder,
    Resource,
    accepts_gzip,
    etag_matches,
    target_to_relative_path,
    unmodified_since,
)
from pledge_timeline.serve.live import STREAM_PATH, LiveReload

LISTEN_BACKLOG: Final = 4096
"""Connections the kernel queues before they are accepted (capped by ``net.core.somaxconn``): a
burst of thousands of connections must not overflow it, or their SYNs are dropped and retried
a second or more later."""


class _Handler(BaseHTTPRequestHandler):
    server: TimelineServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: don't let the body wait
    timeout = 30
    """Seconds a request may take to arrive once its first bytes have."""

    def __init__(self, request: socket.socket, client_address: Any, server: TimelineServer) -> None:
        # Not BaseRequestHandler's, which would answer every request of the connection at once:
        # the pool calls ``answer_arrived`` whenever bytes arrive.
        self.request = request
        self.client_address = client_address
        self.server = server
        self.streaming = False
        self.setup()

    def answer_arrived(self) -> Outcome:
        """Answer the requests whose bytes have arrived; what the connection is then."""
        while True:
            self.close_connection = True
            self.handle_one_request()
            if self.streaming:
                return Outcome.STREAM
            if self.close_connection:
                return Outcome.CLOSE
            if not self._request_waiting():
                return Outcome.KEEP

    def _request_waiting(self) -> bool:
        """Whether bytes of a next request are here already (in the reader's buffer, or the socket's)."""
        timeout = self.connection.gettimeout()
        self.connection.setblocking(False)
        try:
            return bool(self.rfile.peek(1))  # type: ignore[attr-defined]
        except OSError:
            return False  # the pool sees the same error when it waits on the socket
        finally:
            self.connection.settimeout(timeout)

    def version_string(self) -> str:
        return f"pledge-timeline/{__version__}"

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        folder, live = self.server.folder, self.server.live
        if live is not None and with_body and self.path.split("?", 1)[0] == STREAM_PATH:
            live.open_stream(self)
            self.streaming = True
            return
        relative = target_to_relative_path(self.path)
        if relative == "" and INDEX_PAGE in folder.built_paths():
            self._redirect("/" + INDEX_PAGE)
            return
        resource = folder.read(relative) if relative else None
        if resource is not None and relative == INDEX_PAGE and live is not None and live.page is not None:
            resource = live.page  # the built page with its live hook, served only here
        if resource is None:
            self._not_found(with_body)
            return
        gzipped = resource.compressible and accepts_gzip(self.headers.get("Accept-Encoding"))
        etag = f'"{resource.digest}{GZIP_SUFFIX if gzipped else ""}"'
        if self._not_modified(resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._send_validators(etag, resource)
            self.end_headers()
            return
        body = self.server.gzip_cache.compress(resource) if gzipped else resource.data
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self._send_validators(etag, resource)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _not_modified(self, resource: Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # it takes precedence over If-Modified-Since
            return etag_matches(if_none_match, resource.digest)
        if_modified_since = self.headers.get("If-Modified-Since")
        return if_modified_since is not None and unmodified_since(if_modified_since, resource.mtime)

    def _send_validators(self, etag: str, resource: Resource) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(resource.mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")  # store, but ask again: edits show up at once
        self.send_header("Vary", "Accept-Encoding")

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, with_body: bool) -> None:
        body = b"not found\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


class TimelineServer(HTTPServer):
    """Serves one output folder; ``serve_forever()`` until ``shutdown()`` or Ctrl-C; then
    ``server_close()`` closes every connection.

    With ``live``, the page is served with its live hook and the live stream is offered.
    """

    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        out_dir: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        log_requests: bool = False,
        live: LiveReload | None = None,
    ) -> None:
        self.folder = OutputFolder(out_dir)
        self.log_requests = log_requests
        self.live = live
        self.gzip_cache = GzipCache()
        self.address_family = _address_family(host, port)
        super().__init__((host, port), _Handler)
        self.connections = ConnectionPool(self._answer, self._failed)

    def server_activate(self) -> None:
        super().server_activate()
        self.socket.setblocking(False)  # for _handle_request_noblock's loop

    def _handle_request_noblock(self) -> None:
        # TCPServer accepts one connection each time its selector says the socket is ready: in a
        # burst of thousands, a request waits behind a round trip of the loop for each of them.
        while True:
            try:
                request, client_address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # out of descriptors, say: the next round tries again
            request.setblocking(True)
            self.connections.add(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.add(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        if hasattr(self, "connections"):
            self.connections.close()

    def _answer(self, connection: Connection) -> Outcome:
        handler = connection.state
        if not isinstance(handler, _Handler):
            handler = connection.state = _Handler(connection.sock, connection.address, self)
            connection.on_close = handler.finish
        outcome = handler.answer_arrived()
        if outcome is Outcome.STREAM and self.live is not None:
            live, sock, finish = self.live, connection.sock, handler.finish

            def leave() -> None:
                live.leave(sock)
                finish()

            connection.on_close = leave
        return outcome

    def _failed(self, connection: Connection) -> None:
        self.handle_error(connection.sock, connection.address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up in DNS (getfqdn); nothing needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client hung up mid-response: its business, not a server error
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def base_url(self, host: str | None = None) -> str:
        """``http://HOST:PORT/`` to paste into an app; the wildcard address becomes loopback."""
        host = host or str(self.server_address[0])
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def is_loopback_only(self) -> bool:
        try:
            return ipaddress.ip_address(str(self.server_address[0])).is_loopback
        except ValueError:
            return False


def _address_family(host: str, port: int) -> socket.AddressFamily:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return socket.AF_INET  # let bind() report the bad address
    return infos[0][0] if infos else socket.AF_INET
