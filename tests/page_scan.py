"""Scan the rendered pages of the site for text a user should never read.

``scan_site(client, start="/")`` follows the same-origin links of the signed-in user from the start page,
first in bokmål and then in English, and returns a ``Problem`` for every visible text that shows

- a raw key: ``per_size_class[large]``, ``locked_in[0828]`` or a snake_case identifier (``home_visit``);
- an unformatted decimal for the page's language: ``1500000,00``, ``678082.19`` or ``426 648.25`` on a
  bokmål page (``1 500 000,00``), ``1500000.00``, ``0,50`` or ``1 500 000`` on an English page
  (``1,500,000.00``); a Norwegian date (``05.12.2026``) or ``kr`` on an English page;
- a date written as an ISO date (``2019-06-08``) in either language: pages write dates in words;
- a choice label (statuses, kinds, roles of every model) in the other language.

Text inside ``<code>`` is left out: that is where a page shows a code *beside* its label (a parameter
key, a plan hash). Downloads (PDF, CSV, JSON), the API, the admin and logout are not followed.
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b\w+\[\w*\]")
# A Norwegian date d.m.yyyy is not a decimal; any other digit.digit on a bokmål page is.
NB_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NB_DECIMAL = re.compile(r"\d\.\d|\b\d{4,},\d")
# English groups thousands with commas and writes the decimal point: 1500000.00, 0,50, 1 500 000 are not.
EN_DECIMAL = re.compile(r"\b\d{4,}\.\d+\b|\d,\d{1,2}(?!\d)|\d[\u00a0\u202f]\d{3}\b|\d\s?kr\b")
SKIP_PREFIXES = ("/api/", "/admin/", "/logout/", "/i18n/", "/static/", "/media/")
SKIP_SUFFIXES = (".pdf", ".csv", ".json", ".xlsx", ".txt", ".svg", ".png", ".html")


@dataclass(frozen=True)
class Problem:
    kind: str
    url: str
    language: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind} on {self.url} [{self.language}]: {self.text[:160]!r}"


SKIPPED = {"script", "style", "code", "template", "textarea"}


class _Page(HTMLParser):
    """Visible text nodes (no scripts, styles, attribute values, ``<code>`` or a ``<textarea>``'s content,
    which is the user's input like an input's value) and the links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in SKIPPED:
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(" ".join(data.split()) if "\n" in data else data.strip())


def visible_text(html: str) -> list[str]:
    page = _Page()
    page.feed(html)
    return page.chunks


def links(html: str) -> list[str]:
    page = _Page()
    page.feed(html)
    return page.links


def choice_labels(language: str) -> set[str]:
    """Every choice label of every model of the project (statuses, kinds, roles) as ``language`` shows it."""
    from django.apps import apps
    from django.utils import translation

    from pht.apps.care.models import CONTACT_KIND_LABELS
    from pht.apps.care.workflow import CARE_PLAN, TASK

    labels: list[object] = [*CARE_PLAN.labels.values(), *TASK.labels.values(), *CONTACT_KIND_LABELS.values()]
    for model in apps.get_models():
        if not model.__module__.startswith("pht."):
            continue
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "flatchoices", None) or []:
                labels.append(label)
    with translation.override(language):
        return {str(label) for label in labels if str(label).strip()}


def foreign_labels() -> dict[str, set[str]]:
    """For each page language, the labels that only the other language uses."""
    nb, en = choice_labels("nb"), choice_labels("en")
    return {"nb": en - nb, "en": nb - en}


def problems_in(html: str, url: str, language: str, foreign: set[str]) -> list[Problem]:
    decimal = NB_DECIMAL if language == "nb" else EN_DECIMAL
    found = []
    for text in visible_text(html):
        key = RAW_KEY.search(text)
        if key:
            found.append(Problem(f"raw key {key.group()!r}", url, language, text))
        plain = NB_DATE.sub("", text) if language == "nb" else text
        if decimal.search(plain):
            found.append(Problem("unformatted number", url, language, text))
        if ISO_DATE.search(text):
            found.append(Problem("ISO date", url, language, text))
        if language == "en" and NB_DATE.search(text):
            found.append(Problem("Norwegian date", url, language, text))
        if text.rstrip(":") in foreign:
            found.append(Problem("label in the other language", url, language, text))
    return found


def _follow(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url, _ = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path
    if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES) or "/download" in path:
        return None
    if "format=" in parts.query or "export" in path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    """The URL with every path segment that holds a digit as ``N`` and without its query values."""
    path, _, query = url.partition("?")
    segments = ["N" if any(c.isdigit() for c in segment) else segment for segment in path.split("/")]
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Scan:
    pages: dict[str, list[str]]  # language -> urls scanned
    problems: list[Problem]
    errors: list[str]  # pages that answered 5xx


def scan_site(
    client: Any,
    start: str = "/",
    languages: Iterable[str] = ("nb", "en"),
    max_pages: int = 250,
    per_shape: int = 3,
) -> Scan:
    """Walk the site as ``client``'s user from ``start`` in each language (breadth first, GET only).

    At most ``per_shape`` pages of one shape are followed: ``/registry/municipalities/0828/`` and
    ``/registry/municipalities/1401/``, or ``/care/?role=gp`` and ``/care/?role=nurse``, render the same
    template with other data, and a list of 400 municipalities would otherwise use up the walk."""
    foreign = foreign_labels()
    scan = Scan(pages={}, problems=[], errors=[])
    for language in languages:
        seen: set[str] = {start}
        variants: dict[str, int] = {}
        queue = deque([start])
        scanned: list[str] = []
        while queue and len(scanned) < max_pages:
            url = queue.popleft()
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code >= 500:
                scan.errors.append(f"{url} [{language}]: {response.status_code}")
                continue
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            scanned.append(url)
            scan.problems.extend(problems_in(html, url, language, foreign[language]))
            for href in links(html):
                target = _follow(url, href)
                if target is None or target in seen:
                    continue
                shape = _shape(target)
                if variants.get(shape, 0) >= per_shape:
                    continue
                variants[shape] = variants.get(shape, 0) + 1
                seen.add(target)
                queue.append(target)
        scan.pages[language] = scanned
    return scan


# Written out by hand (not Django's formats), so a test comparing a page's date with it checks the filter.
NB_MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip


def bokmal_day(value: datetime.date) -> str:
    """A date as a bokmål page shows it: 5. desember 2026."""
    return f"{value.day}. {NB_MONTHS[value.month - 1]} {value.year}"
