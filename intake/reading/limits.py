"""Limits on what a sender can make the reader do, so one hostile message cannot hang a worker."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReadingLimits(BaseModel):
    """Caps on message shape and extracted text; breaking a hard cap raises LimitExceeded.

    Soft caps (attachment bytes, PDF pages, extracted characters) only truncate
    and record a problem, because a big attachment is not a reason to lose the
    referral written around it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_message_bytes: int = 25_000_000
    max_header_count: int = 1_000
    max_header_bytes: int = 32_768  # one header, folded lines included
    max_mime_depth: int = 20
    max_parts: int = 500
    max_attachment_bytes: int = 10_000_000
    max_unpacked_bytes: int = 50_000_000  # a DOCX (a zip) whose parts unpack to more is not read
    max_pdf_pages: int = 20
    max_extracted_chars: int = 200_000
    max_html_chars: int = 400_000


DEFAULT_LIMITS = ReadingLimits()
