# One command per task. `make demo` and `make test` work on a fresh machine: they install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATIC := healthcode/web/static/vendor

.PHONY: install assets browser pgbouncer demo serve test test-pg lint typecheck bench bench-tools clean

$(BIN)/healthcode: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(BIN)/healthcode

install: $(BIN)/healthcode

$(STATIC)/.done: package.json
	npm install --no-audit --no-fund --loglevel=error
	mkdir -p $(STATIC)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js node_modules/jsqr/dist/jsQR.js $(STATIC)/
	cp node_modules/qr/index.js $(STATIC)/qr.js  # the citizen page draws its QR with it (an ES module, no imports)
	mkdir -p $(STATIC)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	  node_modules/swagger-ui-dist/favicon-32x32.png $(STATIC)/swagger-ui/
	touch $@

assets: $(STATIC)/.done

# Debian's Chromium and a CJK font for the browser tests (Playwright drives /usr/bin/chromium; no browser download),
# the font also the printed card's, whose PDF the tests render with poppler-utils' pdftoppm; in Chinese as the platform's users run it: chromium-l10n (its zh-CN texts and 年/月/日 date fields) and the system
# locale zh_CN.UTF-8 (Debian's `locales`, generated once).
browser:
	@test -x /usr/bin/chromium && test -f /usr/lib/chromium/locales/zh-CN.pak && fc-list 2>/dev/null | grep -qi wqy \
	  && command -v locale-gen >/dev/null && command -v pdftoppm >/dev/null || (apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-l10n fonts-wqy-zenhei ffmpeg locales \
	  poppler-utils >/dev/null)
	@locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\?8' || { sed -i 's/^# *\(zh_CN.UTF-8 UTF-8\)/\1/' /etc/locale.gen; \
	  grep -qx 'zh_CN.UTF-8 UTF-8' /etc/locale.gen || echo 'zh_CN.UTF-8 UTF-8' >> /etc/locale.gen; locale-gen >/dev/null; }

# PgBouncer for tests/test_pgbouncer.py (the PostgreSQL run; skipped where it is missing).
pgbouncer:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null)

demo: install assets
	rm -rf var/demo && HEALTHCODE_DATA_DIR=var/demo $(BIN)/healthcode demo

serve: install assets
	$(BIN)/healthcode serve

test: install assets browser pgbouncer
	$(BIN)/pytest

test-pg: install assets browser pgbouncer
	HEALTHCODE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/pytest

lint: install
	$(BIN)/ruff check healthcode tests bench tools
	$(BIN)/mypy healthcode

# Every benchmark at the sizes the issues name (about half an hour on this 2-core machine); figures go to
# docs/performance.md. Each also runs small: e.g. `.venv/bin/python -m bench.contacts --scale 0.01`.
BENCHES := feeds_load contacts closures person_status code_issue code_page checkpoint_scans console_records \
	enterprise_console overload
# The HTTP benchmarks drive the server with wrk (a C load generator: a Python client would share the 2 cores).
bench-tools:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

bench: install bench-tools
	for b in $(BENCHES); do $(BIN)/python -m bench.$$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(STATIC) var

# Regenerates a migration from the models against a scratch SQLite database: `make migration NAME=add_scans`.
migration: install
	rm -f /tmp/healthcode-migration.sqlite3
	HEALTHCODE_DATABASE_URL=sqlite:////tmp/healthcode-migration.sqlite3 $(BIN)/alembic upgrade head
	HEALTHCODE_DATABASE_URL=sqlite:////tmp/healthcode-migration.sqlite3 $(BIN)/alembic revision --autogenerate -m "$(NAME)"
