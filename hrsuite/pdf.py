"""PDF rendering shared by every module (payslips, reports, certificates), with WeasyPrint.

Chinese text uses the Noto CJK fonts that the project's setup installs (Debian package
fonts-noto-cjk); the font configuration and the base stylesheet are built once per process,
which makes each further document several times faster. Documents get a content hash and a
generation time so a printed copy can be checked against the system.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

BASE_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm; @bottom-right { content: counter(page); font-size: 8pt; color: #64748b; } }
html { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; font-size: 9.5pt; color: #0f172a; line-height: 1.5; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 11pt; margin: 5mm 0 2mm; border-bottom: 0.6pt solid #cbd5e1; padding-bottom: 1mm; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1.2mm 1.5mm; border-bottom: 0.4pt solid #e2e8f0; text-align: left; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: #64748b; }
.small { font-size: 8pt; }
.total td { font-weight: 700; border-top: 0.8pt solid #0f172a; }
.header { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 1.2pt solid #1d4ed8; padding-bottom: 2mm; margin-bottom: 4mm; }
.company { font-size: 11pt; font-weight: 700; color: #1d4ed8; }
.grid { display: flex; gap: 6mm; }
.grid > div { flex: 1; }
.box { border: 0.6pt solid #cbd5e1; border-radius: 1.5mm; padding: 2mm 3mm; }
.big { font-size: 14pt; font-weight: 700; }
.footer { margin-top: 6mm; font-size: 7.5pt; color: #64748b; }
"""


@lru_cache(maxsize=1)
def _engine():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, CSS(string=BASE_CSS, font_config=fonts)


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render a Django template to PDF bytes (static assets are not fetched: no network)."""
    from weasyprint import HTML

    fonts, css = _engine()
    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[css], font_config=fonts)


def content_hash(*parts) -> str:
    """A SHA-256 over the document's content (not the PDF bytes, which embed a timestamp)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def generated_at():
    return timezone.localtime()
