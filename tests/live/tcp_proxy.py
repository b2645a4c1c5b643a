#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A TCP relay on loopback for the live suite's dead-server case:
tcp_proxy.py LISTEN_ADDR PORT TARGET_ADDR TARGET_PORT. SIGSTOP it and the
NFS server behind it stops answering (the kernel still accepts and buffers,
as a hung server does); SIGCONT and it answers again."""
import selectors
import socket
import sys

la, lp, ta, tp = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for a in (la, ta):
    if not a.startswith("127."):
        sys.exit("loopback only")
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((la, lp))
srv.listen(64)
sel = selectors.DefaultSelector()
sel.register(srv, selectors.EVENT_READ)
peer = {}
print("listening", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is srv:
            c, _ = srv.accept()
            u = socket.create_connection((ta, tp))
            peer[c], peer[u] = u, c
            sel.register(c, selectors.EVENT_READ)
            sel.register(u, selectors.EVENT_READ)
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        o = peer.get(s)
        if not data or o is None:
            for x in (s, o):
                if x is not None and x in peer:
                    sel.unregister(x)
                    peer.pop(x, None)
                    x.close()
            continue
        o.sendall(data)
