"""Mail folders the replies land in besides SMTP: Drafts (draft mode) and Sent (a copy).

With an IMAP mailbox the folders are found by SPECIAL-USE (\\Drafts, \\Sent),
else by the name in [mailbox] drafts_folder / sent_folder, else "Drafts" /
"Sent". With the embedded Maildir mailbox, drafts go to a Maildir folder
beside the inbox (var/drafts) so a demo user can see them; there is no
Sent copy there (the Maildir outbox already holds what was sent).

`contains` answers "is a message with this Message-ID in that folder?", which
the outbox uses after a crash to learn whether a send or an APPEND happened.
"""

from __future__ import annotations

import logging
import mailbox
import socket
import ssl
from contextlib import suppress
from email import message_from_bytes, policy
from pathlib import Path
from typing import Literal, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from intake.config import Mailbox
from intake.errors import TransientError
from intake.files import private_umask
from intake.mailbox.imap import connect
from intake.mailbox.maildir import open_maildir
from intake.replying.senders import crlf

log = logging.getLogger("intake.replying")

_NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError)
Role = Literal["drafts", "sent"]
_SPECIAL_USE = {"drafts": b"\\Drafts", "sent": b"\\Sent"}
_FLAGS = {"drafts": [b"\\Draft", b"\\Seen"], "sent": [b"\\Seen"]}
_DEFAULT_NAME = {"drafts": "Drafts", "sent": "Sent"}


class MailFolders(Protocol):
    def append(self, role: Role, raw: bytes) -> None: ...

    def append_many(self, role: Role, raws: list[bytes]) -> None: ...

    def contains(self, role: Role, rfc_message_id: str) -> bool: ...

    def close(self) -> None: ...


class ImapFolders:
    """Drafts and Sent on the IMAP server; one connection, opened on first use."""

    def __init__(self, cfg: Mailbox) -> None:
        self.cfg = cfg
        self._client: IMAPClient | None = None
        self._names: dict[Role, str] = {}

    def _conn(self) -> IMAPClient:
        if self._client is None:
            self._client = connect(self.cfg)
        return self._client

    def folder(self, role: Role) -> str:
        """The folder's name: SPECIAL-USE, else configured, else the usual name (created)."""
        if role not in self._names:
            self._names[role] = self._find(role)
        return self._names[role]

    def _find(self, role: Role) -> str:
        client = self._conn()
        configured = self.cfg.drafts_folder if role == "drafts" else self.cfg.sent_folder
        if configured:
            name = configured
        else:
            special = client.find_special_folder(_SPECIAL_USE[role])
            name = special or _DEFAULT_NAME[role]
        if not client.folder_exists(name):
            client.create_folder(name)
        return name

    def append(self, role: Role, raw: bytes) -> None:
        try:
            self._conn().append(self.folder(role), crlf(raw), flags=_FLAGS[role])
        except _NETWORK_ERRORS as exc:
            self._drop()
            raise TransientError(f"mailbox: cannot save to {role} ({type(exc).__name__})") from None

    def append_many(self, role: Role, raws: list[bytes]) -> None:
        """Several messages in one round trip where the server has MULTIAPPEND (RFC 3502)."""
        if not raws:
            return
        try:
            client = self._conn()
            if len(raws) == 1 or not client.has_capability("MULTIAPPEND"):
                for raw in raws:
                    client.append(self.folder(role), crlf(raw), flags=_FLAGS[role])
                return
            messages = [{"msg": crlf(raw), "flags": _FLAGS[role]} for raw in raws]
            client.multiappend(self.folder(role), messages)
        except _NETWORK_ERRORS as exc:
            self._drop()
            raise TransientError(f"mailbox: cannot save to {role} ({type(exc).__name__})") from None

    def contains(self, role: Role, rfc_message_id: str) -> bool:
        try:
            client = self._conn()
            client.select_folder(self.folder(role), readonly=True)
            found = client.search(["HEADER", "Message-ID", rfc_message_id])
            client.unselect_folder()
        except _NETWORK_ERRORS as exc:
            self._drop()
            raise TransientError(f"mailbox: cannot search {role} ({type(exc).__name__})") from None
        return bool(found)

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with suppress(*_NETWORK_ERRORS):
                client.shutdown()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except _NETWORK_ERRORS:
                client.shutdown()


class MaildirFolders:
    """Drafts in a local Maildir beside the inbox; no Sent copy (the outbox is the record)."""

    def __init__(self, drafts: Path) -> None:
        self.drafts = drafts

    def append(self, role: Role, raw: bytes) -> None:
        if role != "drafts":
            return
        box = open_maildir(self.drafts)
        try:
            message = mailbox.MaildirMessage(raw)
            message.set_flags("DS")
            with private_umask():
                box.add(message)
        finally:
            box.close()

    def append_many(self, role: Role, raws: list[bytes]) -> None:
        for raw in raws:
            self.append(role, raw)

    def contains(self, role: Role, rfc_message_id: str) -> bool:
        if role != "drafts":
            return False
        box = open_maildir(self.drafts)
        try:
            for key in box.iterkeys():
                head = box.get_bytes(key).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
                msg = message_from_bytes(head, policy=policy.default)
                if str(msg.get("Message-ID", "")).strip() == rfc_message_id:
                    return True
        finally:
            box.close()
        return False

    def close(self) -> None:
        return None


def drafts_path(cfg: Mailbox) -> Path:
    """Where the embedded default keeps drafts: a Maildir beside the inbox."""
    return cfg.path.parent / "drafts"


def open_folders(cfg: Mailbox) -> MailFolders:
    return ImapFolders(cfg) if cfg.kind == "imap" else MaildirFolders(drafts_path(cfg))
