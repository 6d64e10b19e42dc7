"""Text of referral-form attachments (PDF, DOCX, RTF, TXT), within limits.

Referral forms arrive as attachments, so their text is read; images and
logos are ignored. Every library call is wrapped: a broken or hostile file
becomes a recorded problem, never an exception, and limits on bytes, pages
and characters keep the worker responsive.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from intake.reading.charsets import decode_bytes
from intake.reading.limits import ReadingLimits

_PDF_TYPES = {"application/pdf", "application/x-pdf"}
_DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_RTF_TYPES = {"application/rtf", "text/rtf", "application/x-rtf", "text/richtext"}
_TXT_TYPES = {"text/plain"}
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class AttachmentText:
    """One readable attachment: its name, type and extracted text."""

    filename: str
    content_type: str
    text: str


def attachment_kind(filename: str, content_type: str) -> str | None:
    """'pdf', 'docx', 'rtf' or 'txt' when the attachment is a readable document."""
    name = filename.lower()
    ctype = content_type.lower()
    if name.endswith(".pdf") or ctype in _PDF_TYPES:
        return "pdf"
    if name.endswith(".docx") or ctype in _DOCX_TYPES:
        return "docx"
    if name.endswith(".rtf") or ctype in _RTF_TYPES:
        return "rtf"
    if name.endswith(".txt") or (ctype in _TXT_TYPES and not name):
        return "txt"
    return None


def _pdf_text(data: bytes, limits: ReadingLimits, problems: list[str]) -> str:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            problems.append("attachment: encrypted PDF not read")
            return ""
        pages: list[str] = []
        total = 0
        for number, page in enumerate(reader.pages):
            if number >= limits.max_pdf_pages:
                problems.append(f"attachment: PDF truncated at {limits.max_pdf_pages} pages")
                break
            text = page.extract_text() or ""
            pages.append(text)
            total += len(text)
            if total > limits.max_extracted_chars:
                break
        return "\n".join(pages)


def unpacked_size(data: bytes) -> int:
    """What a zip package's parts unpack to, as its directory declares; zipfile stops
    reading a part at its declared size, so a zip bomb cannot unpack to more."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return sum(info.file_size for info in package.infolist())


def _docx_body(data: bytes) -> Any:
    """The body of a DOCX's main document part, as python-docx finds and parses it.

    Only that part is parsed: docx.Document() would parse every XML part
    (styles, numbering, settings: most of the time a DOCX takes), none of
    which the text needs, and would refuse a form whose styles are broken.
    """
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PACKAGE_URI
    from docx.opc.pkgreader import PackageReader
    from docx.oxml.parser import parse_xml

    package = PackageReader.from_file(io.BytesIO(data))  # type: ignore[no-untyped-call]
    main = next(
        (
            srel.target_partname
            for source, srel in package.iter_srels()
            if source == PACKAGE_URI and srel.reltype == RELATIONSHIP_TYPE.OFFICE_DOCUMENT
        ),
        None,
    )
    if main is None:  # as docx.Document() has it
        raise KeyError("no main document part")
    for partname, content_type, _, blob in package.iter_sparts():
        if partname == main:
            if content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:
                raise ValueError("not a Word document")  # a template or macro file
            return parse_xml(blob).body
    raise KeyError("no main document part")


def _docx_text(data: bytes) -> str:
    """Paragraphs and table rows in document order, a two-cell row as 'Label: value'."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in _docx_body(data).iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, None).text)  # type: ignore[arg-type]
        elif tag == "tbl":
            for row in Table(child, None).rows:  # type: ignore[arg-type]
                cells: list[str] = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                lines.append(": ".join(cells) if len(cells) == 2 else " | ".join(cells))
    return "\n".join(lines)


def _rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    text = rtf_to_text(decode_bytes(data, "cp1252"), errors="ignore")  # type: ignore[no-untyped-call]
    return str(text)


def extract_attachment(
    filename: str,
    content_type: str,
    data: bytes,
    limits: ReadingLimits,
    problems: list[str],
) -> AttachmentText | None:
    """Text of one attachment, or None when it is not a readable document."""
    kind = attachment_kind(filename, content_type)
    if kind is None:
        return None
    if len(data) > limits.max_attachment_bytes:
        problems.append(f"attachment: {filename or kind} over size limit, not read")
        return None
    try:
        if kind == "pdf":
            text = _pdf_text(data, limits, problems)
        elif kind == "docx":
            if unpacked_size(data) > limits.max_unpacked_bytes:  # python-docx reads every part
                problems.append(f"attachment: {filename or kind} unpacks over size limit, not read")
                return None
            text = _docx_text(data)
        elif kind == "rtf":
            text = _rtf_text(data)
        else:
            text = decode_bytes(data)
    except Exception as exc:  # third-party parsers raise anything on bad input
        problems.append(f"attachment: {filename or kind} unreadable ({type(exc).__name__})")
        return None
    if len(text) > limits.max_extracted_chars:
        problems.append(f"attachment: {filename or kind} text truncated")
        text = text[: limits.max_extracted_chars]
    text = _BLANK_RUNS.sub("\n\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return AttachmentText(filename=filename, content_type=content_type, text=text.strip())
