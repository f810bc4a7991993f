"""Printable records (检查记录, 整改通知书) as PDF, rendered by WeasyPrint from a template.

Templates for print extend ``templates/print/base.html`` (A4, page numbers, the Noto CJK font
installed from Debian's ``fonts-noto-cjk``). Images are embedded as data URIs
(:func:`inspect_app.core.files.data_uri`), so rendering never fetches anything over the network.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template


def render_pdf(template_name: str, **context) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes. Only inline ``data:`` resources
    are fetched: a record never reaches out to the network or the file system while printing."""
    return layout(render_template(template_name, **context)).write_pdf()


def layout(html: str):
    """The laid-out pages of ``html`` (a WeasyPrint ``Document``): what the PDF will show, page
    by page, with each box's element and position (tests read where things land from it)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=2)
    return HTML(string=html, url_fetcher=fetcher).render()


def pdf_response(data: bytes, filename: str, inline: bool = True) -> Response:
    response = Response(data, mimetype="application/pdf")
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
