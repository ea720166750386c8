"""Cut text into retrieval-sized chunks on paragraph and sentence boundaries."""

from __future__ import annotations

import hashlib
import re

TARGET_CHARS = 700
MAX_CHARS = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def chunk_text(text: str) -> list[str]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    pieces: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= MAX_CHARS:
            pieces.append(paragraph)
            continue
        pieces.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > MAX_CHARS:  # a single run-on "sentence": hard wrap on a space
            cut = piece.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > TARGET_CHARS // 2 else MAX_CHARS
            head, piece = piece[:cut].strip(), piece[cut:].strip()
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        if current and len(current) + 1 + len(piece) > TARGET_CHARS:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks
