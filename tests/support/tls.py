"""HTTPS for the browser tests: a throw-away certificate, and Debian's nginx as a TLS proxy.

The certificate comes from a throw-away certificate authority (trustme) and names 127.0.0.1 and
localhost. nginx runs in the foreground from a configuration written to a temporary folder, with
its pid file, logs and temporary files there too, on a free loopback port; it is stopped when the
test is done. It never relies on a system nginx daemon.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme

from tests.support.waiting import free_port, wait_for


@dataclass(frozen=True)
class Certificate:
    cert_path: Path  # the server certificate followed by its chain, PEM
    key_path: Path
    ca_path: Path  # the authority that issued it, for clients that check it

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))


def make_certificate(folder: Path) -> Certificate:
    """A certificate for 127.0.0.1 and localhost, issued by a certificate authority made just now."""
    authority = trustme.CA()
    cert = authority.issue_cert("127.0.0.1", "localhost")
    cert_path, key_path, ca_path = folder / "server.pem", folder / "server.key", folder / "ca.pem"
    cert_path.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(key_path))
    authority.cert_pem.write_to_path(str(ca_path))
    return Certificate(cert_path=cert_path, key_path=key_path, ca_path=ca_path)


def find_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        raise RuntimeError("nginx is missing: `make system-packages` installs Debian's nginx-light")
    return found


# The server blocks follow the example in docs/deploy.md: a default server refuses unknown names,
# the site passes Host, X-Forwarded-For and X-Forwarded-Proto and clears X-Forwarded-Host.
NGINX_CONF = """\
{user}
worker_processes 1;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    server {{
        listen 127.0.0.1:{port} ssl default_server;
        server_name _;
        return 444;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name 127.0.0.1;
        client_max_body_size 20m;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            # docs/deploy.md has `Host $host`; on a port other than 443 the port must go along.
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host "";
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    def listening_or_stopped() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped at start: {log.read_text() if log.exists() else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        return False

    if not wait_for(listening_or_stopped):
        raise RuntimeError(f"nginx did not listen on port {port}")


@contextlib.contextmanager
def temporary_nginx(certificate: Certificate, upstream_port: int) -> Iterator[int]:
    """Run nginx as a TLS proxy in front of 127.0.0.1:upstream_port; yields its port."""
    nginx = find_nginx()
    prefix = Path(tempfile.mkdtemp(prefix="trainer-nginx-"))
    port = free_port()
    # As root, nginx would hand its workers to `nobody`, who cannot use this private folder.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, prefix=prefix, cert=certificate.cert_path,
                                      key=certificate.key_path, port=port, upstream=upstream_port))
    log = prefix / "error.log"
    process = subprocess.Popen([nginx, "-p", str(prefix), "-e", str(log), "-c", str(conf),
                                "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(prefix, ignore_errors=True)
