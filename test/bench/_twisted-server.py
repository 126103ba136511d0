"""Twisted contenders of echo.ts and connections.ts, run with /usr/bin/python3.

  _twisted-server.py echo   an echo server: Protocol.dataReceived -> transport.write
  _twisted-server.py idle   acknowledges each chunk a connection sends with b'k'; answers 'mem' on
                            stdin with the process's memory after gc.collect() as one JSON line
  _twisted-server.py http   twisted.web: GET / answers b"hello world\n" (http.ts)

Listens on 127.0.0.1, an ephemeral port, printed on stdout; stops when stdin closes.
"""
import gc
import json
import os
import sys

from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import protocol, reactor, stdio  # noqa: E402
from twisted.protocols.basic import LineReceiver  # noqa: E402
from twisted.web import resource, server  # noqa: E402


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class Acknowledge(protocol.Protocol):
    def connectionMade(self):
        self.factory.open += 1

    def connectionLost(self, reason):
        self.factory.open -= 1

    def dataReceived(self, data):
        self.transport.write(b"k")


class Hello(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain")
        return b"hello world\n"


def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Parent(LineReceiver):
    delimiter = b"\n"

    def __init__(self, factory):
        self.factory = factory

    def lineReceived(self, line):
        if line.strip() == b"mem":
            gc.collect()
            answer = {"rss": rss(), "connections": getattr(self.factory, "open", 0)}
        else:
            answer = {"error": "unknown question"}
        self.sendLine(json.dumps(answer).encode())

    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


def main():
    mode = sys.argv[1]
    if mode == "http":
        factory = server.Site(Hello())
    else:
        factory = protocol.Factory()
        factory.protocol = Echo if mode == "echo" else Acknowledge
    factory.open = 0
    factory.noisy = False
    port = reactor.listenTCP(0, factory, backlog=511, interface="127.0.0.1")
    sys.stdout.write("%d\n" % port.getHost().port)
    sys.stdout.flush()
    stdio.StandardIO(Parent(factory))
    reactor.run()


main()
