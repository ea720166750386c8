"""KB-3: turn an uploaded PDF, DOCX, TXT or Markdown file into text, or refuse it clearly.

The type is decided by the file's content (magic bytes), never by its name alone, and the
whole text is extracted before anything is written, so a bad file leaves no trace.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 500
ALLOWED_EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".markdown": "md"}


class DocumentRejected(Exception):
    """The file cannot be ingested; the message is shown to the agency user as is."""


@dataclass(frozen=True)
class ExtractedDocument:
    file_name: str
    file_type: str  # pdf | docx | txt | md
    size: int
    title: str
    text: str
    pages: int


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if b"\x00" in data[:8192]:
        return "binary"
    return "text"


def _pdf_text(data: bytes) -> tuple[str, int]:
    # Lazy: only document uploads need the PDF parser.
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentRejected("This PDF is password-protected. Upload an unprotected copy.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentRejected(f"This PDF has {len(reader.pages)} pages; the limit is {MAX_PDF_PAGES}.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        raise DocumentRejected(f"This PDF is damaged and could not be read ({type(error).__name__}).") from error
    return "\n\n".join(p.strip() for p in pages if p.strip()), len(pages)


def _docx_text(data: bytes) -> tuple[str, int]:
    # Lazy: only document uploads need the Word parser.
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise DocumentRejected("This file is a ZIP archive, not a Word (.docx) document.")
            if archive.testzip() is not None:
                raise DocumentRejected("This Word document is damaged (a part of it fails its checksum).")
        document = docx.Document(io.BytesIO(data))
    except DocumentRejected:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise DocumentRejected(f"This Word document is damaged and could not be read ({type(error).__name__}).") \
            from error
    parts = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                parts.append(" | ".join(cells))
    return "\n\n".join(parts), 1


def _plain_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            break
        return text
    raise DocumentRejected("This text file is not UTF-8 encoded. Save it as UTF-8 and upload it again.")


def _title_from(file_name: str, text: str, file_type: str) -> str:
    if file_type == "md":
        heading = re.search(r"^#\s+(.+)$", text, re.M)
        if heading:
            return heading.group(1).strip()[:300]
    return PurePath(file_name).stem.replace("_", " ").replace("-", " ").strip()[:300] or "Document"


def document_extract(*, file_name: str, data: bytes) -> ExtractedDocument:
    """Validate and read one upload. Raises DocumentRejected with a message for people."""
    file_name = PurePath(file_name.replace("\\", "/")).name[:255] or "document"
    extension = PurePath(file_name).suffix.lower()
    declared = ALLOWED_EXTENSIONS.get(extension)
    if declared is None:
        raise DocumentRejected("Upload a PDF, Word (.docx), text (.txt) or Markdown (.md) file.")
    if not data:
        raise DocumentRejected("This file is empty.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(f"This file is {len(data) / 1048576:.1f} MB; the limit is "
                               f"{MAX_DOCUMENT_BYTES // 1048576} MB.")
    sniffed = _sniff(data)
    expected = {"pdf": "pdf", "docx": "zip", "txt": "text", "md": "text"}[declared]
    if sniffed != expected:
        found = {"pdf": "a PDF", "zip": "a ZIP/Office file", "binary": "a binary file", "text": "plain text"}[sniffed]
        raise DocumentRejected(f"The file is named {extension} but its content is {found}. Upload the real file.")
    pages = 1
    if declared == "pdf":
        text, pages = _pdf_text(data)
    elif declared == "docx":
        text, pages = _docx_text(data)
    else:
        text = _plain_text(data)
    text = re.sub(r"[ \t]+\n", "\n", text.replace("\r\n", "\n")).strip()
    if len(text) < 20:
        raise DocumentRejected("No readable text was found in this file (a scanned PDF needs OCR first).")
    return ExtractedDocument(file_name=file_name, file_type=declared, size=len(data),
                             title=_title_from(file_name, text, declared), text=text, pages=pages)
