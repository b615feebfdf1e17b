"""The Spanish catalog is whole, current and shipped: the gate CI runs (``make i18n-check`` runs these too).

Every message the code, the templates, the website's pages and its script mark for translation is in the
catalog, translated and not fuzzy; the compiled catalog the Lambda ships is the one the ``.po`` says; the
pages in ``web/`` are what the templates and catalog make; a missing catalog fails loudly.
"""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from inquiries import i18n
from inquiries.record import Language

from infra import site_i18n


def test_every_marked_message_is_in_the_catalog_and_nothing_else_is() -> None:
    # What `pybabel update --check` refuses: a catalog that extraction would change.
    extracted = {m.id for m in site_i18n.extract() if m.id}
    catalog = {m.id for m in site_i18n.read_catalog(Language.ES) if m.id}
    assert sorted(extracted - catalog) == [], "run `make i18n` and translate the new messages"
    assert sorted(catalog - extracted) == [], "run `make i18n`: the catalog holds messages no longer used"


def test_every_message_has_a_spanish_translation_that_is_not_fuzzy() -> None:
    catalog = site_i18n.read_catalog(Language.ES)
    untranslated = [m.id for m in catalog if m.id and not (all(m.string or ()) if m.pluralizable else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_the_placeholders_of_each_translation_are_those_of_its_message() -> None:
    placeholder = re.compile(r"%\(\w+\)s|\{\w+\}")
    for message in site_i18n.read_catalog(Language.ES):
        if message.id and isinstance(message.id, str):
            assert sorted(placeholder.findall(message.id)) == sorted(placeholder.findall(str(message.string))), \
                message.id


def test_the_shipped_compiled_catalog_is_the_po_compiled() -> None:
    shipped = i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.mo"
    assert shipped.read_bytes() == site_i18n.compiled(Language.ES), "run `make i18n`"


def test_the_website_pages_and_the_scripts_catalog_are_built_from_the_current_catalog() -> None:
    stale = [str(path) for path, content in site_i18n.site_files().items() if path.read_text("utf-8") != content]
    assert stale == [], "run `make i18n`"


def test_every_message_the_form_script_asks_for_is_in_the_spanish_pages_catalog() -> None:
    script = (site_i18n.WEB / "form.js").read_text("utf-8")
    asked = set(re.findall(r'\b_\("((?:[^"\\]|\\.)*)"\)', script))
    page = (site_i18n.WEB / "es" / "index.html").read_text("utf-8")
    embedded = re.search(r'<script type="application/json" id="form-messages">(.*?)</script>', page, re.DOTALL)
    assert embedded, "the Spanish page carries its script's catalog"
    messages = json.loads(embedded.group(1))["messages"]
    assert asked, "the script marks its messages"
    assert sorted(asked - set(messages)) == []
    assert all(messages[m] and messages[m] != m for m in asked)


def test_the_runtime_reads_the_compiled_catalog_with_the_standard_library() -> None:
    translations = i18n.translations(Language.ES)
    assert isinstance(translations, gettext.GNUTranslations)
    assert translations.gettext("We received your inquiry") == "Recibimos su consulta"
    assert i18n.translations(Language.EN).gettext("We received your inquiry") == "We received your inquiry"


def test_a_missing_catalog_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with pytest.raises(i18n.CatalogMissing, match="es"):
            i18n.translations(Language.ES)
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()
