"""Redis over TLS, with an ACL user, and behind Sentinel: real redis-server processes.

Each test starts its own redis-server (and sentinel) on free ports with files in tmp_path
(certificates made with openssl here), replicates one count between two nodes through it,
and checks that a wrong password or an untrusted certificate stops start-up with one clear
line. Skipped when redis-server (or its TLS) or openssl is missing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from fumidai.config import settings_from_dict
from fumidai.counters.connection import describe, sync_redis
from fumidai.counters.redis import RedisReplicator
from fumidai.errors import FumidaiError
from tests.conftest import free_port

pytestmark = [pytest.mark.redis, pytest.mark.slow]

REDIS_SERVER = shutil.which("redis-server")
OPENSSL = shutil.which("openssl")
if REDIS_SERVER is None:
    pytest.skip("redis-server is not installed", allow_module_level=True)


class Server:
    """A redis-server (or sentinel) child process, killed at the end."""

    def __init__(self, args: list[str], folder: Path, name: str) -> None:
        self.log = folder / f"{name}.log"
        self.proc = subprocess.Popen([REDIS_SERVER, *args], cwd=folder, stdout=self.log.open("wb"),
                                     stderr=subprocess.STDOUT)

    def wait_ready(self, ping, what: str) -> None:
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{what} exited: {self.log.read_text(errors='replace')[-800:]}")
            try:
                if ping():
                    return
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer: {self.log.read_text(errors='replace')[-800:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for s in started:
        s.stop()


def counters(**keys):
    return settings_from_dict({"counters": {"backend": "redis", "redis_prefix": "fumidai-trust", **keys}}).counters


def replicate_one_count(settings) -> list[tuple]:
    """Node A publishes one count; what node B applied."""
    async def go():
        a = RedisReplicator(settings, node="A")
        b = RedisReplicator(settings, node="B")
        got: list[tuple] = []
        await a.start(lambda *args: None, lambda *args: None)
        await b.start(lambda *args: got.append(args), lambda *args: None)
        try:
            a.publish_count("alice", 29_000_000, "JP", 1, 2, True)
            deadline = time.monotonic() + 10
            while not got and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        finally:
            await a.stop()
            await b.stop()
        return got

    return asyncio.run(go())


def start_fails(settings) -> str:
    async def go():
        rep = RedisReplicator(settings, node="A")
        await rep.start(lambda *args: None, lambda *args: None)
        await rep.stop()

    with pytest.raises(FumidaiError) as err:
        asyncio.run(go())
    text = str(err.value)
    assert "\n" not in text
    return text


# --- TLS ---------------------------------------------------------------------------------------

def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


def make_ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}", cwd=folder)


def make_server_cert(folder: Path, ca: str, name: str) -> None:
    """A certificate for localhost and 127.0.0.1 (not 127.0.0.2), signed by ``ca``."""
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             f"{name}.key", "-out", f"{name}.csr", "-subj", "/CN=localhost", cwd=folder)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
             "-out", f"{name}.crt", "-days", "2", "-extfile", "san.ext", cwd=folder)


@pytest.fixture
def tls_server(tmp_path, servers):
    """(port, folder) of a redis-server speaking only TLS with a certificate from our own CA."""
    if OPENSSL is None:
        pytest.skip("openssl is not installed")
    make_ca(tmp_path, "ca")
    make_ca(tmp_path, "other-ca")
    make_server_cert(tmp_path, "ca", "server")
    port = free_port()
    server = Server(["--port", "0", "--tls-port", str(port), "--tls-cert-file", "server.crt",
                     "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no",
                     "--save", "", "--appendonly", "no"], tmp_path, "redis-tls")
    servers.append(server)
    trusted = counters(redis_url=f"rediss://127.0.0.1:{port}/0", redis_ca_file=str(tmp_path / "ca.crt"))
    try:
        server.wait_ready(lambda: sync_redis(trusted, socket_connect_timeout=1).ping(), "redis-server --tls-port")
    except RuntimeError as err:
        if server.proc.poll() is not None and "tls" in str(err).lower():  # built without TLS: a bad directive
            pytest.skip(f"this redis-server has no TLS: {err}")
        raise
    return port, tmp_path


def test_rediss_with_our_ca_replicates_a_count(tls_server):
    port, folder = tls_server
    settings = counters(redis_url=f"rediss://localhost:{port}/0", redis_ca_file=str(folder / "ca.crt"))
    assert replicate_one_count(settings) == [("alice", 29_000_000, "JP", 1, 2, True)]


def test_an_untrusted_certificate_stops_start_up(tls_server):
    port, folder = tls_server
    text = start_fails(counters(redis_url=f"rediss://127.0.0.1:{port}/0", redis_ca_file=str(folder / "other-ca.crt")))
    assert "cannot use Redis at rediss://127.0.0.1" in text and "certificate verify failed" in text
    text = start_fails(counters(redis_url=f"rediss://127.0.0.1:{port}/0"))  # the system's CAs do not know ours
    assert "certificate verify failed" in text


def test_the_host_name_is_checked(tls_server):
    port, folder = tls_server
    text = start_fails(counters(redis_url=f"rediss://127.0.0.2:{port}/0", redis_ca_file=str(folder / "ca.crt")))
    assert "certificate verify failed" in text and "127.0.0.2" in text


def test_a_plain_connection_to_a_tls_port_fails_and_url_options_cannot_weaken_tls(tls_server):
    port, folder = tls_server
    start_fails(counters(redis_url=f"redis://127.0.0.1:{port}/0"))
    with pytest.raises(FumidaiError, match=r"no \?options"):
        RedisReplicator(counters(redis_url=f"rediss://127.0.0.1:{port}/0?ssl_cert_reqs=none"))


# --- ACL ---------------------------------------------------------------------------------------

@pytest.fixture
def acl_server(tmp_path, servers):
    """Port of a redis-server whose default user is off and user "fumidai" has password s3cret."""
    port = free_port()
    conf = tmp_path / "redis-acl.conf"
    conf.write_text(f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\n'
                    "user default off\nuser fumidai on >s3cret ~fumidai-trust:* +@all -@dangerous\n")
    server = Server([str(conf)], tmp_path, "redis-acl")
    servers.append(server)
    import redis

    server.wait_ready(lambda: redis.Redis(port=port, username="fumidai", password="s3cret",
                                          socket_connect_timeout=1).ping(), "redis-server --user")
    return port


def test_acl_user_in_the_url_or_with_a_password_file(acl_server, tmp_path):
    port = acl_server
    assert replicate_one_count(counters(redis_url=f"redis://fumidai:s3cret@127.0.0.1:{port}/0"))
    secret = tmp_path / "redis.pass"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o600)
    settings = counters(redis_url=f"redis://127.0.0.1:{port}/0", redis_username="fumidai",
                        redis_password_file=str(secret))
    assert replicate_one_count(settings) == [("alice", 29_000_000, "JP", 1, 2, True)]
    assert "s3cret" not in describe(settings) and "redis.pass" in describe(settings)


def test_a_wrong_password_stops_start_up_with_a_clear_line(acl_server, tmp_path):
    port = acl_server
    text = start_fails(counters(redis_url=f"redis://fumidai:wrong@127.0.0.1:{port}/0"))
    assert "invalid username-password pair" in text and "wrong" not in text
    assert "***" in text
    text = start_fails(counters(redis_url=f"redis://127.0.0.1:{port}/0"))  # the default user is off
    assert "cannot use Redis" in text


def test_password_file_mistakes_are_named(tmp_path):
    secret = tmp_path / "redis.pass"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o644)
    with pytest.raises(FumidaiError, match="redis_password_file .* readable by everyone"):
        RedisReplicator(counters(redis_password_file=str(secret)))
    with pytest.raises(FumidaiError, match="redis_password_file .* cannot be read"):
        RedisReplicator(counters(redis_password_file=str(tmp_path / "missing")))
    os.chmod(secret, 0o600)
    with pytest.raises(FumidaiError, match="give one"):
        RedisReplicator(counters(redis_url="redis://:other@127.0.0.1:6379/0", redis_password_file=str(secret)))
    secret.write_text("two\nlines\n")
    with pytest.raises(FumidaiError, match="alone on one line"):
        RedisReplicator(counters(redis_password_file=str(secret)))


# --- Sentinel ----------------------------------------------------------------------------------

@pytest.fixture
def sentinel(tmp_path, servers):
    """(sentinel port, master name) for a redis-server watched by a real sentinel."""
    import redis

    master = free_port()
    servers.append(Server(["--port", str(master), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                          tmp_path, "redis-master"))
    servers[-1].wait_ready(lambda: redis.Redis(port=master, socket_connect_timeout=1).ping(), "redis-server")
    port = free_port()
    conf = tmp_path / "sentinel.conf"  # the sentinel rewrites it: a file of its own
    conf.write_text(f"port {port}\nbind 127.0.0.1\nsentinel monitor fumidai-test 127.0.0.1 {master} 1\n")
    servers.append(Server([str(conf), "--sentinel"], tmp_path, "sentinel"))
    servers[-1].wait_ready(
        lambda: redis.Redis(port=port, socket_connect_timeout=1).execute_command(
            "SENTINEL", "get-master-addr-by-name", "fumidai-test") is not None, "redis-server --sentinel")
    return port, "fumidai-test"


def test_sentinel_finds_the_master_and_replicates_a_count(sentinel):
    port, name = sentinel
    settings = counters(redis_url="redis:///0", redis_sentinels=[f"127.0.0.1:{port}"], redis_sentinel_master=name)
    assert replicate_one_count(settings) == [("alice", 29_000_000, "JP", 1, 2, True)]
    assert describe(settings).startswith(f"Sentinel master 'fumidai-test' via 127.0.0.1:{port}")


def test_an_unknown_master_name_stops_start_up(sentinel):
    port, _ = sentinel
    text = start_fails(counters(redis_sentinels=[f"127.0.0.1:{port}"], redis_sentinel_master="nobody"))
    assert text.startswith(f"cannot use Redis at Sentinel master 'nobody' via 127.0.0.1:{port}")
    assert "No master found for 'nobody'" in text


def test_sentinel_over_tls_to_the_sentinel_and_the_master(tls_server, servers):
    """rediss:// with sentinels: TLS to the sentinel and to the master it names, both checked."""
    import redis

    master_port, folder = tls_server
    port = free_port()
    conf = folder / "sentinel-tls.conf"
    conf.write_text(f"port 0\ntls-port {port}\nbind 127.0.0.1\ntls-cert-file server.crt\ntls-key-file server.key\n"
                    "tls-ca-cert-file ca.crt\ntls-auth-clients no\ntls-replication yes\n"
                    f"sentinel monitor fumidai-tls 127.0.0.1 {master_port} 1\n")
    servers.append(Server([str(conf), "--sentinel"], folder, "sentinel-tls"))
    servers[-1].wait_ready(
        lambda: redis.Redis(port=port, ssl=True, ssl_ca_certs=str(folder / "ca.crt"), socket_connect_timeout=1)
        .execute_command("SENTINEL", "get-master-addr-by-name", "fumidai-tls") is not None, "sentinel --tls-port")
    keys = {"redis_url": "rediss:///0", "redis_sentinels": [f"127.0.0.1:{port}"], "redis_sentinel_master": "fumidai-tls"}
    assert replicate_one_count(counters(**keys, redis_ca_file=str(folder / "ca.crt"))) == [
        ("alice", 29_000_000, "JP", 1, 2, True)]
    text = start_fails(counters(**keys, redis_ca_file=str(folder / "other-ca.crt")))
    assert "certificate verify failed" in text
