"""Download links that need no file browser (the app hides it): the file travels in the link."""

from __future__ import annotations

import base64
import html
import mimetypes
from pathlib import Path


def download_link(data: bytes, filename: str, label: str) -> str:
    """An HTML link that saves ``data`` as ``filename`` in the browser (a data: URI)."""
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    payload = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="kam-download" download="{html.escape(filename, quote=True)}" '
        f'href="data:{mime};base64,{payload}">⬇ {html.escape(label)}</a>'
    )


def file_link(path: Path, label: str) -> str:
    """A download link for a file on this machine (empty when the file is missing)."""
    return download_link(path.read_bytes(), path.name, label) if path.is_file() else ""
