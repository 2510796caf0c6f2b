"""Loaded by every Python process the harness starts (PYTHONPATH): refuses any connection that does not
go to this machine's loopback, and writes what was tried to $COMPAT_NET_LOG, so the harness fails loudly
when LiteLLM (or a client) reaches for the internet: cost map, telemetry, tokenizer downloads."""
import os
import socket

_log = os.environ.get("COMPAT_NET_LOG")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")


def _note(what):
    if _log:
        with open(_log, "a") as f:
            f.write(f"{os.getpid()} {what}\n")


def _allowed(host):
    return host is None or str(host).startswith(_LOCAL) or str(host) in ("", "::ffff:127.0.0.1")


def _check(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        if not _allowed(address[0]):
            _note(f"connect {address[0]}:{address[1]}")
            raise OSError(101, f"compat harness: network access refused ({address[0]}:{address[1]})")


def connect(self, address):
    _check(self, address)
    return _real_connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _real_connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if not _allowed(host if not isinstance(host, bytes) else host.decode()):
        _note(f"resolve {host}")
        raise socket.gaierror(socket.EAI_NONAME, f"compat harness: name resolution refused ({host})")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
