"""A stand-in for the SMTP server: it keeps what would have been sent."""
from __future__ import annotations


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        FakeSMTP.sent.append((msg["To"], msg["Subject"], msg.get_content()))
