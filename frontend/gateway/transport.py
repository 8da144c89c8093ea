"""gRPC over the frontend process's stdin/stdout.

buildkitd speaks HTTP/2 to the frontend over its stdio, but grpcio cannot
use file descriptors as a channel. So the stdio pair is moved aside and
relayed, byte for byte, to an abstract unix socket that grpcio dials.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading

import grpc

CHUNK = 1 << 16
MAX_MESSAGE = 64 << 20


class StdioRelay:
    def __init__(self) -> None:
        self._in = os.dup(0)
        self._out = os.dup(1)
        # A stray print must not corrupt the HTTP/2 stream: fd 1 becomes stderr.
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
        self.address = f"metacall-frontend-{os.getpid()}-{secrets.token_hex(4)}"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind("\0" + self.address)
        self._listener.listen(1)
        threading.Thread(target=self._serve, name="stdio-relay", daemon=True).start()

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(
            f"unix-abstract:{self.address}",
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE),
                ("grpc.max_send_message_length", MAX_MESSAGE),
            ],
        )

    def _serve(self) -> None:
        # Only one connection can own the stdio pair: the first one.
        conn, _ = self._listener.accept()
        self._listener.close()
        threading.Thread(target=self._pump_in, args=(conn,), daemon=True).start()
        self._pump_out(conn)

    def _pump_in(self, conn: socket.socket) -> None:
        while data := os.read(self._in, CHUNK):
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)

    def _pump_out(self, conn: socket.socket) -> None:
        while data := conn.recv(CHUNK):
            view = memoryview(data)
            while view:
                view = view[os.write(self._out, view):]
        os.close(self._out)
