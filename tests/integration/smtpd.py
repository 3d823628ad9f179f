#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A tiny real SMTP server for the tests, on Debian's python3-aiosmtpd.

    python3 tests/integration/smtpd.py DIR [--reject-rcpt ADDR]... [--lifetime S]

Listens on 127.0.0.1 (a free port), prints "ready PORT" on stdout once it
answers, and keeps every message it accepts as DIR/NNN.eml (the raw bytes of
DATA, dot-unstuffed, line ends as sent) beside DIR/NNN.env (JSON: mail_from,
rcpt_tos). A recipient named by --reject-rcpt gets 550, as Postfix answers
an unknown user. It runs until SIGTERM or SIGINT, or for --lifetime seconds
(0: no limit) so that a test that crashed cannot leave it behind for good.
"""
import argparse
import json
import os
import signal
import socket
import sys

try:
    from aiosmtpd.controller import Controller
except ImportError:
    # python3 may be another interpreter (pyenv) than the Debian one that
    # python3-aiosmtpd is installed for; the package is pure Python
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller


class Spool:
    def __init__(self, directory, reject):
        self.dir = directory
        self.reject = {a.lower() for a in reject}
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.dir, "%03d" % self.n)
        env = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        # the .eml last and by rename: whoever sees it sees it whole, .env included
        with open(base + ".env", "w") as f:
            json.dump(env, f)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as %03d" % self.n


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(handler):
    # Controller's start-up check connects to the port it was given, so it
    # cannot be 0: take a free one, and another if somebody was quicker
    for _ in range(20):
        port = free_port()
        ctl = Controller(handler, hostname="127.0.0.1", port=port,
                         server_hostname="smtpd.test")
        try:
            ctl.start()
            return ctl, port
        except OSError:
            continue
    sys.exit("smtpd.py: no free port")


def main():
    ap = argparse.ArgumentParser(description="SMTP server for pinbench's tests")
    ap.add_argument("dir", help="where received messages are stored")
    ap.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDR",
                    help="answer 550 for this recipient (repeatable)")
    ap.add_argument("--lifetime", type=float, default=0, metavar="S",
                    help="exit after S seconds (0: run until killed)")
    args = ap.parse_args()
    if not os.path.isdir(args.dir):
        sys.exit("smtpd.py: no directory '%s'" % args.dir)

    # block the signals before the server thread exists, so that it inherits
    # the mask and only sigtimedwait() below ever sees them
    stop = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    ctl, port = start(Spool(args.dir, args.reject_rcpt))
    print("ready %d" % port, flush=True)
    if args.lifetime > 0:
        signal.sigtimedwait(stop, args.lifetime)
    else:
        signal.sigwait(stop)
    ctl.stop()


if __name__ == "__main__":
    main()
