"""Build-time translation (Babel, a dev dependency only): extraction, the compiled catalogs, the website.

``python -m infra.site_i18n`` (``make i18n``, after ``pybabel extract`` and ``pybabel update``) compiles each
language's ``.po`` into the ``.mo`` the Lambda artifact ships (read at run time by the standard library's
gettext, ``inquiries.i18n``) and builds the website's pages in every language from ``infra/site/`` (English
at ``web/``, Spanish at ``web/es/``), each with its script's JSON catalog made from the same ``.po``.
``tests/unit/test_catalogs.py`` (``make i18n-check``) fails when any of it is stale, untranslated or fuzzy.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch
from inquiries import i18n
from inquiries.record import Language, crisis_resources

from infra.template import ROOT

WEB = ROOT / "web"
SITE = ROOT / "infra" / "site"
MAPPING = ROOT / "babel.cfg"
SCRIPT = "web/form.js"
# gettext's keywords, and intake's _whole_request (its first argument is an error message).
KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "_whole_request": None}
PAGES = ("index.html", "thank-you.html")
# Each page's folder under web/, its way back to web/, and the name of its language in that language. The switch
# links to English as index.html: the person's choice, which the local server's language negotiation at / leaves.
_WHERE: dict[Language, tuple[str, str, str]] = {
    Language.EN: ("", "", "English"),
    Language.ES: ("es/", "../", "Español"),
}


def _sources() -> Iterator[tuple[str, str, dict[str, str]]]:
    """Every file ``babel.cfg`` maps, as (path relative to the repository, method, options)."""
    with MAPPING.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "functions").rglob("*") if p.is_file())
    files += sorted(p.relative_to(ROOT).as_posix() for p in SITE.rglob("*") if p.is_file())
    files.append(SCRIPT)
    for path in files:
        for pattern, method in method_map:
            if pathmatch(pattern, path):
                yield path, method, options_map.get(pattern, {})
                break


def extract() -> Catalog:
    """What ``pybabel extract -F babel.cfg`` finds: every message marked in code, templates, pages and script."""
    catalog = Catalog(project="inquiry-intake")
    for path, method, options in _sources():
        for lineno, message, comments, context in extract_from_file(method, ROOT / path, keywords=KEYWORDS,
                                                                    options=options, strip_comment_tags=True):
            catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: Language) -> Path:
    return i18n.LOCALE_DIR / language.value / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def read_catalog(language: Language) -> Catalog:
    with po_path(language).open("rb") as po:
        return read_po(po, locale=language.value, domain=i18n.DOMAIN)


def compiled(language: Language) -> bytes:
    """The ``.mo`` for ``language``'s ``.po`` (fuzzy entries left out, as ``pybabel compile`` does)."""
    out = io.BytesIO()
    write_mo(out, read_catalog(language), use_fuzzy=False)
    return out.getvalue()


def _script_messages(language: Language) -> dict[str, str]:
    """The script's catalog: each message ``web/form.js`` marks, in ``language`` (none for English)."""
    if language is Language.EN:
        return {}
    found: dict[str, str] = {}
    for message in read_catalog(language):
        if isinstance(message, Message) and isinstance(message.id, str) and message.id and \
                any(path == SCRIPT for path, _ in message.locations) and isinstance(message.string, str):
            found[message.id] = message.string
    return dict(sorted(found.items()))


def _script_catalog(language: Language) -> str:
    resources = [{k: v for k, v in vars(r).items() if v is not None} for r in crisis_resources(language)]
    text = json.dumps({"messages": _script_messages(language), "crisis_resources": resources},
                      ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("</", "<\\/")  # nothing in it can close the script element


def site_files() -> dict[Path, str]:
    """Every page of the website in every language, as it should be in ``web/``."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    files: dict[Path, str] = {}
    for language in Language:
        folder, root, _name = _WHERE[language]
        other = Language.ES if language is Language.EN else Language.EN
        other_folder, _, other_name = _WHERE[other]
        env = Environment(loader=FileSystemLoader(SITE), autoescape=select_autoescape(default_for_string=True),
                          undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], keep_trailing_newline=True)
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
        context = {
            "lang": language.value,
            "root": root,
            "other": {"lang": other.value, "name": other_name,
                      "href": root + (other_folder or "index.html")},
            "script_catalog": Markup(_script_catalog(language)),  # noqa: S704 - JSON built here, "</" escaped
        }
        for page in PAGES:
            files[WEB / folder / page] = env.get_template(page).render(context)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.parse_args(argv)
    for language in Language:
        if language is not Language.EN:
            mo = po_path(language).with_suffix(".mo")
            mo.write_bytes(compiled(language))
    i18n.translations.cache_clear()
    for path, content in site_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
