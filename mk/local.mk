# The whole pipeline on one machine (issue 4). Included by the top Makefile.
#
#   make run            moto (AWS) on 127.0.0.1:$(LOCAL_AWS_PORT), the API and the website form on
#                       127.0.0.1:$(LOCAL_API_PORT), queue pollers and the redispatch schedule; Ctrl-C stops it
#   make browser-deps   Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium;
#                       its own browser download is never used)

LOCAL_API_PORT ?= 3000
LOCAL_AWS_PORT ?= 5000
CHROMIUM := /usr/bin/chromium
# Root needs no sudo (CI runs as root); anyone else is asked for it.
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run browser-deps

run: venv ## The whole pipeline locally: the form at http://127.0.0.1:3000/, emails and notifications in its outbox
	LOCAL_API_PORT=$(LOCAL_API_PORT) LOCAL_AWS_PORT=$(LOCAL_AWS_PORT) $(PY) -m infra.local

browser-deps: ## Install Debian's chromium (for the browser tests) when it is missing
	@if [ -x $(CHROMIUM) ]; then echo "chromium: $(CHROMIUM) is installed"; \
	else $(APT_GET) update && $(APT_GET) install -y chromium; fi
	@test -x $(CHROMIUM)
