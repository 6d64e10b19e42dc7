"""The real-server fixtures themselves: Dovecot and the SMTP sink behave as tests rely on."""

from __future__ import annotations

import smtplib
import ssl
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, LoginError

from tests.conftest import Mailbox
from tests.mailservers import Dovecot, SmtpMode, SmtpSink


def raw_message(subject: str = "Referral", body: str = "Hello") -> bytes:
    """A small RFC 5322 message with CRLF line ends."""
    return (
        f"From: GP Surgery <gp@example.org>\r\nTo: therapist@example.net\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@example.org>\r\n"
        f"Date: Mon, 03 Mar 2025 09:00:00 +0000\r\n\r\n{body}\r\n"
    ).encode()


def email_message(subject: str = "Reply") -> EmailMessage:
    """An outgoing message as the service would build it."""
    msg = EmailMessage()
    msg["From"] = "therapist@example.net"
    msg["To"] = "gp@example.org"
    msg["Subject"] = subject
    msg.set_content("Thank you for the referral.")
    return msg


def test_append_then_peek_leaves_message_unseen(mailbox: Mailbox) -> None:
    """A message appended to INBOX and fetched with BODY.PEEK[] stays unseen."""
    raw = raw_message("Peek")
    uid = mailbox.append(raw)
    imap = mailbox.client()
    try:
        imap.select_folder("INBOX")
        fetched = imap.fetch([uid], ["BODY.PEEK[]", "FLAGS"])
        assert raw == fetched[uid][b"BODY[]"]
        assert [uid] == imap.search(["UNSEEN"])
    finally:
        imap.logout()


def test_special_use_folders_and_slash_separator(mailbox: Mailbox) -> None:
    """Sent, Trash, Drafts and Junk exist with SPECIAL-USE, and '/' separates levels."""
    imap = mailbox.client()
    try:
        assert imap.find_special_folder(b"\\Sent") == "Sent"
        assert imap.find_special_folder(b"\\Junk") == "Junk"
        assert imap.namespace().personal[0][1] == "/"
        imap.create_folder("Intake/Quarantine")
        assert imap.folder_exists("Intake/Quarantine")
    finally:
        imap.logout()


def test_new_user_can_log_in_at_once(dovecot: Dovecot) -> None:
    """Users added while the server runs log in immediately (passwd-file is re-read)."""
    for n in range(5):
        dovecot.add_user(f"late{n}", f"pw{n}")
        dovecot.client(f"late{n}").logout()
    with pytest.raises(LoginError):
        dovecot.client("late0", "wrong")


def test_mailboxes_are_isolated(dovecot: Dovecot, mailbox: Mailbox) -> None:
    """A message appended for one user is invisible to another user."""
    other_user = f"{mailbox.user}-b"
    dovecot.add_user(other_user, "other-pw")
    mailbox.append(raw_message("Private"))
    imap = dovecot.client(other_user, "other-pw")
    try:
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        imap.logout()
    with pytest.raises(LoginError):
        dovecot.client(mailbox.user, "other-pw")


def test_uidvalidity_and_data_survive_restart(fresh_dovecot: Dovecot) -> None:
    """A graceful restart keeps ports, messages and UIDVALIDITY."""
    uid = fresh_dovecot.append(raw_message("Kept"), "Intake")
    before = fresh_dovecot.uidvalidity("Intake")
    port = fresh_dovecot.port
    fresh_dovecot.restart()
    assert port == fresh_dovecot.port
    assert before == fresh_dovecot.uidvalidity("Intake")
    imap = fresh_dovecot.client()
    try:
        imap.select_folder("Intake", readonly=True)
        assert [uid] == imap.search(["SUBJECT", "Kept"])
    finally:
        imap.logout()


def test_kill_breaks_clients_and_restart_keeps_data(fresh_dovecot: Dovecot) -> None:
    """After a crash (killpg SIGKILL) clients get an abort; a restart has the data intact."""
    uid = fresh_dovecot.append(raw_message("Crash"))
    before = fresh_dovecot.uidvalidity()
    imap = fresh_dovecot.client()
    imap.select_folder("INBOX")
    fresh_dovecot.kill()
    with pytest.raises(IMAPClientAbortError):
        imap.noop()
    imap.shutdown()
    with pytest.raises(ConnectionRefusedError):
        IMAPClient(fresh_dovecot.host, port=fresh_dovecot.port, timeout=2)
    fresh_dovecot.start()
    assert before == fresh_dovecot.uidvalidity()
    imap = fresh_dovecot.client()
    try:
        imap.select_folder("INBOX")
        assert [uid] == imap.search(["ALL"])
    finally:
        imap.logout()


def test_close_removes_directory_and_stops_listening(fresh_dovecot: Dovecot) -> None:
    """close() kills the server and deletes its directory; calling it twice is harmless."""
    root, port = fresh_dovecot.root, fresh_dovecot.port
    fresh_dovecot.close()
    fresh_dovecot.close()
    assert not root.exists()
    with pytest.raises(ConnectionRefusedError):
        IMAPClient(fresh_dovecot.host, port=port, timeout=2)


def test_implicit_tls_verifies_with_ca_file(mailbox: Mailbox) -> None:
    """IMAPS works with ca_file as the trust anchor and fails verification without it."""
    imap = mailbox.client(tls=True)
    try:
        assert imap.has_capability("IDLE")
    finally:
        imap.logout()
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(
            mailbox.host,
            port=mailbox.tls_port,
            ssl=True,
            ssl_context=ssl.create_default_context(),
            timeout=5,
        )


def test_starttls_on_plain_port(mailbox: Mailbox) -> None:
    """STARTTLS on the plain port verifies against ca_file and then allows LOGIN."""
    imap = IMAPClient(mailbox.host, port=mailbox.port, ssl=False, timeout=5)
    try:
        imap.starttls(ssl.create_default_context(cafile=str(mailbox.ca_file)))
        imap.login(mailbox.user, mailbox.password)
    finally:
        imap.logout()


def test_idle_sees_append_from_other_connection(mailbox: Mailbox) -> None:
    """An IDLE connection is told of an APPEND made on another connection within 5 s."""
    idler = mailbox.client()
    try:
        idler.select_folder("INBOX")
        idler.idle()
        started = time.monotonic()
        mailbox.append(raw_message("Wake"))
        responses = idler.idle_check(timeout=5)
        elapsed = time.monotonic() - started
        idler.idle_done()
    finally:
        idler.logout()
    assert (1, b"EXISTS") in responses
    assert elapsed < 5


def test_smtp_sink_records_message(smtp_sink: SmtpSink) -> None:
    """A message sent with smtplib arrives with its envelope and headers."""
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=5) as client:
        client.send_message(email_message("Thanks"), to_addrs=["gp@example.org", "cc@example.org"])
    [got] = smtp_sink.wait_for(1)
    assert got.mail_from == "therapist@example.net"
    assert got.rcpt_tos == ("gp@example.org", "cc@example.org")
    assert got.message()["Subject"] == "Thanks"
    smtp_sink.clear()
    assert smtp_sink.messages == []


def test_smtp_sink_refusal_is_transient_error(smtp_sink: SmtpSink) -> None:
    """refuse_next makes the next DATA fail with 451; the one after is accepted."""
    smtp_sink.refuse_next(1)
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(email_message("First"))
        assert refused.value.smtp_code == 451
        client.send_message(email_message("Second"))
    assert [m.message()["Subject"] for m in smtp_sink.wait_for(1)] == ["Second"]


def test_smtp_sink_stop_and_start_on_same_port(smtp_sink: SmtpSink) -> None:
    """A stopped sink refuses connections; started again it listens on the same port."""
    port = smtp_sink.port
    smtp_sink.stop()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(smtp_sink.host, port, timeout=2)
    smtp_sink.start()
    assert port == smtp_sink.port
    with smtplib.SMTP(smtp_sink.host, port, timeout=5) as client:
        client.send_message(email_message("Back"))
    assert len(smtp_sink.wait_for(1)) == 1


@pytest.mark.servers
@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_smtp_sink_tls_requires_auth(mode: SmtpMode) -> None:
    """With TLS the sink demands AUTH, verifies with its ca_file and accepts after login."""
    with SmtpSink(mode) as sink:
        ctx = sink.ssl_context()
        if mode == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(sink.host, sink.port, context=ctx, timeout=5)
        else:
            client = smtplib.SMTP(sink.host, sink.port, timeout=5)
            client.starttls(context=ctx)
        with client:
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.send_message(email_message("Anonymous"))
            assert refused.value.smtp_code == 530
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login(sink.user, "wrong")
            client.login(sink.user, sink.password)
            client.send_message(email_message("Authenticated"))
        assert sink.wait_for(1)[0].message()["Subject"] == "Authenticated"


def test_shared_dir_is_a_directory(shared_dir: Path) -> None:
    """shared_dir resolves to the shared folder beside the repository (or INTAKE_SHARED_DIR)."""
    assert shared_dir.is_dir()
