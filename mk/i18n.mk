# Translation (docs/i18n.md): Babel, a dev dependency, extracts and compiles; the Lambda reads the compiled
# catalog with the standard library's gettext. `make i18n` after changing any marked text; `make i18n-check`
# is the gate `make test` runs.
.PHONY: i18n i18n-check

I18N_LOCALES := functions/inquiries/i18n/locale
I18N_POT := build/i18n/messages.pot
PYBABEL := $(VENV)/bin/pybabel

define i18n_extract
	mkdir -p $(dir $(I18N_POT))
	$(PYBABEL) extract -F babel.cfg -k _whole_request --add-location=file --sort-output --no-wrap \
		--project=inquiry-intake -o $(I18N_POT) .
endef

i18n: venv ## Extract marked texts, update the catalogs, compile them and rebuild the website's pages (web/, web/es/)
	$(i18n_extract)
	$(PYBABEL) update -i $(I18N_POT) -d $(I18N_LOCALES) -D messages --no-wrap --ignore-obsolete
	$(PY) -m infra.site_i18n

i18n-check: venv ## Fail when a catalog would change, lacks a translation, is fuzzy, or the compiled catalog or pages are stale
	$(i18n_extract)
	$(PYBABEL) update --check --ignore-pot-creation-date -i $(I18N_POT) -d $(I18N_LOCALES) -D messages --no-wrap \
		--ignore-obsolete
	$(PYTEST) tests/unit/test_catalogs.py -q -p no:cacheprovider
