"""The aiosmtpd contender of smtp.ts, run with /usr/bin/python3 (Debian's python3-aiosmtpd).

  _smtp-aiosmtpd-server.py ROOT [--discard]

An aiosmtpd SMTP server on an ephemeral port of 127.0.0.1 (asyncio's default loop, as
`python3 -m aiosmtpd` runs it; messages up to 64 MiB), its handle_DATA storing each message the
way Spindle's Maildir delivery does: written to ROOT/example.test/user/tmp/ after Return-Path:,
os.fsync, os.rename into new/, new/ fsynced, then '250 OK'. The file work runs in asyncio's
default thread pool, so one session's fsync does not stop the others. With --discard,
handle_DATA keeps nothing and answers '250 OK' at once. Prints its port; stops when stdin closes.
"""
import asyncio
import os
import secrets
import sys
import time

from aiosmtpd.smtp import SMTP

ROOT = sys.argv[1]
DISCARDING = sys.argv[2:] == ['--discard']
delivered = 0


def store(mail_from, rcpt_to, content):
    global delivered
    delivered += 1
    local, _, domain = rcpt_to.rpartition('@')
    folder = os.path.join(ROOT, domain.lower(), local.lower())
    for sub in ('tmp', 'new', 'cur'):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    name = '%d.P%dQ%dR%s.bench' % (time.time(), os.getpid(), delivered, secrets.token_hex(8))
    temporary = os.path.join(folder, 'tmp', name)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, b'Return-Path: <%s>\n' % mail_from.encode())
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.rename(temporary, os.path.join(folder, 'new', name))
    directory = os.open(os.path.join(folder, 'new'), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class MaildirHandler:
    async def handle_DATA(self, server, session, envelope):
        if DISCARDING:
            return '250 OK'
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, store, envelope.mail_from, envelope.rcpt_tos[0], envelope.content)
        return '250 OK'


async def main():
    loop = asyncio.get_running_loop()
    handler = MaildirHandler()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname='bench.test', data_size_limit=64 * 1024 * 1024),
        '127.0.0.1',
        0,
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    stdin_closed = loop.create_future()

    def on_stdin():
        if not os.read(sys.stdin.fileno(), 4096) and not stdin_closed.done():
            stdin_closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stdin_closed
    server.close()


asyncio.run(main())
