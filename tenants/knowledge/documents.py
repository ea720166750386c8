"""KB-3: turn an uploaded PDF, DOCX, TXT or Markdown file into text, or refuse it clearly.

The type is decided by the file's content (magic bytes), never by its name alone, and the
whole text is extracted before anything is written, so a bad file leaves no trace.

Hostile files (zip bombs, decompression bombs inside PDFs, parser blow-ups) are contained twice:
a DOCX's archive directory is checked first (member count, total unpacked size, compression ratio),
and the parsing itself runs in a short-lived child process with a hard address-space and CPU-time
limit (resource.setrlimit), so whatever a file does, the calling worker process never holds it. Web
requests only store the upload and queue it (uploads.py); the knowledge worker calls this module.
This module has no Django imports: the child runs it as `python -m tenants.knowledge.documents`.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 500
MAX_ZIP_MEMBERS = 1000
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_TEXT_CHARS = 5_000_000
EXTRACT_MEMORY_BYTES = 768 * 1024 * 1024
EXTRACT_CPU_SECONDS = 30
EXTRACT_WALL_SECONDS = 60
_REPO_ROOT = Path(__file__).resolve().parents[2]
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


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory, before a single member is unpacked. zipfile never
    unpacks more than a member's declared size, so the declared sizes bound the real work."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentRejected(f"This Word document has {len(members)} parts; the limit is {MAX_ZIP_MEMBERS}.")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentRejected(f"This Word document unpacks to {unpacked / 1048576:.0f} MB; the limit is "
                               f"{MAX_UNPACKED_BYTES // 1048576} MB. Remove large images or split it.")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise DocumentRejected("This Word document contains a part that is compressed suspiciously well "
                                   "(a so-called zip bomb), so it was not opened.")


def _docx_text(data: bytes) -> tuple[str, int]:
    # Lazy: only document uploads need the Word parser.
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
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


def document_precheck(*, file_name: str, size: int) -> str:
    """What the web request may check without reading the content: name, type by extension, size.
    Returns the cleaned file name; raises DocumentRejected. Everything else happens in the worker."""
    file_name = PurePath(file_name.replace("\\", "/")).name[:255] or "document"
    if PurePath(file_name).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise DocumentRejected("Upload a PDF, Word (.docx), text (.txt) or Markdown (.md) file.")
    if not size:
        raise DocumentRejected("This file is empty.")
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(f"This file is {size / 1048576:.1f} MB; the limit is "
                               f"{MAX_DOCUMENT_BYTES // 1048576} MB.")
    return file_name


def document_extract(*, file_name: str, data: bytes) -> ExtractedDocument:
    """Validate and read one upload. Raises DocumentRejected with a message for people.
    PDF and DOCX parsing runs in a memory-limited child (extract_isolated); callers are the knowledge
    worker (uploads.document_upload_process) and seeding code, never a web request."""
    file_name = document_precheck(file_name=file_name, size=len(data))
    extension = PurePath(file_name).suffix.lower()
    declared = ALLOWED_EXTENSIONS[extension]
    sniffed = _sniff(data)
    expected = {"pdf": "pdf", "docx": "zip", "txt": "text", "md": "text"}[declared]
    if sniffed != expected:
        found = {"pdf": "a PDF", "zip": "a ZIP/Office file", "binary": "a binary file", "text": "plain text"}[sniffed]
        raise DocumentRejected(f"The file is named {extension} but its content is {found}. Upload the real file.")
    pages = 1
    if declared in ("pdf", "docx"):
        text, pages = extract_isolated(declared, data)
    else:
        text = _plain_text(data)
    text = re.sub(r"[ \t]+\n", "\n", text.replace("\r\n", "\n")).strip()
    if len(text) < 20:
        raise DocumentRejected("No readable text was found in this file (a scanned PDF needs OCR first).")
    return ExtractedDocument(file_name=file_name, file_type=declared, size=len(data),
                             title=_title_from(file_name, text, declared), text=text, pages=pages)


def extract_isolated(kind: str, data: bytes, *, memory_bytes: int | None = None) -> tuple[str, int]:
    """Parse a PDF or DOCX in a child process under memory and CPU limits; refuse clearly on any failure."""
    limit = memory_bytes or EXTRACT_MEMORY_BYTES
    try:
        child = subprocess.run(  # noqa: S603 — our own interpreter and module, no shell
            [sys.executable, "-m", "tenants.knowledge.documents", kind, str(limit)], input=data,
            capture_output=True, cwd=_REPO_ROOT, timeout=EXTRACT_WALL_SECONDS, check=False)
    except subprocess.TimeoutExpired as error:
        raise DocumentRejected("This file took too long to read. Try a smaller or simpler copy.") from error
    if child.returncode == 0:
        try:
            result = json.loads(child.stdout)
        except ValueError:
            result = {"error": None}
        if "text" in result:
            return result["text"], int(result["pages"])
        if result.get("error"):
            raise DocumentRejected(result["error"])
    raise DocumentRejected("This file needs more memory or time to read than we allow, or it is damaged. "
                           "Try saving it again (for example “Save as PDF”) or split it.")


def _child_main(kind: str, memory_bytes: int) -> int:
    import resource

    # The child limits itself before touching the file (a limit can only be lowered, never raised back).
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (EXTRACT_CPU_SECONDS, EXTRACT_CPU_SECONDS))
    data = sys.stdin.buffer.read()
    try:
        text, pages = (_pdf_text if kind == "pdf" else _docx_text)(data)
        if len(text) > MAX_TEXT_CHARS:
            raise DocumentRejected(f"This file holds more than {MAX_TEXT_CHARS:,} characters of text; split it.")
        payload: dict[str, object] = {"text": text, "pages": pages}
    except DocumentRejected as rejected:
        payload = {"error": str(rejected)}
    except (MemoryError, ImportError):
        # Under the limit the parser itself may not load (an ImportError from a failed mmap): same verdict.
        return 3
    except Exception as error:  # noqa: BLE001 — any parser failure is a damaged file to the person uploading
        payload = {"error": f"This file is damaged and could not be read ({type(error).__name__})."}
    sys.stdout.write(json.dumps(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1], int(sys.argv[2])))
