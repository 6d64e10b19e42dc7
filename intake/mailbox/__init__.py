"""Mailbox in: adapters that fetch new mail from IMAP or a local Maildir."""
