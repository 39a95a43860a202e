# Entry points of the một cửa workspace. Every target sets up what it needs on
# first use: the virtualenv (uv), the Kafka jars (Maven), Prometheus (apt-get).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV = $(or $(shell command -v uv 2>/dev/null),python3 -m uv)
RUN = $(UV) run --frozen
STACK = $(RUN) motcua-stack
STACK_ENV := .local/stack.env
WITH_STACK_ENV := set -a && . ./$(STACK_ENV) && set +a &&
PYTEST_ARGS ?=
MAIL ?=
DEMO_ARGS ?=
CHAOS_ARGS ?=

# Installs Debian packages when missing (as root with apt-get), else says how.
define apt_install
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	echo "installing $(1) with apt-get"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(1); \
else \
	echo "$(1) is not installed: run: apt-get install -y $(1)" >&2; exit 1; \
fi
endef

.PHONY: help install uv kafka-jars prometheus-installed docker-compose-installed \
	up up-infra down status test lint demo bench chaos chaos-short compose-check asyncapi-check \
	kustomize-installed k8s-check mail

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || { \
		echo "installing uv with pip"; \
		python3 -m pip install --quiet uv || python3 -m pip install --quiet --break-system-packages uv; }

install: uv ## create or update the virtualenv from uv.lock
	$(UV) sync --frozen

kafka-jars: install ## fetch the Kafka broker jars with Maven (once per deploy/kafka/pom.xml)
	$(STACK) jars

prometheus-installed:
	@command -v prometheus >/dev/null 2>&1 || { $(call apt_install,prometheus); }

# kubectl has kustomize built in; without it, kustomize is built from its Go module.
kustomize-installed:
	@command -v kubectl >/dev/null 2>&1 || command -v kustomize >/dev/null 2>&1 || { \
		command -v go >/dev/null 2>&1 || { $(call apt_install,golang-go); }; \
		echo "installing kustomize with go install"; \
		GOBIN="$$HOME/.local/bin" go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0; }

docker-compose-installed:
	@command -v docker-compose >/dev/null 2>&1 || { $(call apt_install,docker-compose); }

up: install kafka-jars prometheus-installed ## start the whole local stack (PostgreSQL, Kafka, services, Prometheus)
	$(STACK) up

up-infra: install kafka-jars ## start only PostgreSQL and Kafka
	$(STACK) up --infra

down: ## stop everything the stack started (data is kept)
	@if [ -x .venv/bin/motcua-stack ]; then $(STACK) down; else echo "no virtualenv: nothing to stop"; fi

status: install ## what runs, with PIDs and addresses
	$(STACK) status

mail: install ## the mails the local SMTP sink received (date, to, subject); MAIL=N prints one
	$(STACK) mail $(if $(MAIL),--show $(MAIL))

test: up-infra ## the test suite, on the local stack's Kafka and PostgreSQL
	$(WITH_STACK_ENV) $(RUN) pytest $(PYTEST_ARGS)

lint: install ## ruff, formatting, mypy and the import contracts
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy shared/src devstack/src $(wildcard services/*/src)
	$(RUN) lint-imports

demo: install kafka-jars prometheus-installed ## start everything and play a simulated week of a province's offices
	$(RUN) motcua-demo $(DEMO_ARGS)

bench: up ## the benchmark (bench/__main__.py) on the running stack
	@if [ -f bench/__main__.py ]; then \
		$(WITH_STACK_ENV) $(RUN) python -m bench; \
	else \
		echo "no benchmark yet: bench/__main__.py does not exist"; \
	fi

chaos: install kafka-jars prometheus-installed ## faults under a steady load on a stack of its own (.local-chaos/); CHAOS_ARGS='--instances 2'
	$(RUN) python -m bench.chaos $(CHAOS_ARGS)

chaos-short: install kafka-jars prometheus-installed ## the chaos suite's short version (CI): three faults, a shorter day
	$(RUN) python -m bench.chaos --short $(CHAOS_ARGS)

compose-check: docker-compose-installed ## validate docker-compose.yml
	docker-compose -f docker-compose.yml config -q

k8s-check: install kustomize-installed ## render the Kubernetes overlays; every service's settings accept them in production mode
	$(RUN) python tools/k8s.py check dev production

asyncapi-check: install ## the AsyncAPI document matches the event models
	$(RUN) python tools/asyncapi.py --check
