# Ops gates and builds (issue 5). Included by the top Makefile; `make test` depends on `validate`.
#
#   make validate      sam validate --lint, cfn-lint, checkov over template.yaml and its SAM expansion,
#                      sam build (python3.12 arm64) and the host-platform copy the import test uses
#   make sam-build     only the build
#   make deploy ENV=dev|prod   sam build + sam deploy with samconfig.toml's [ENV] settings, then termination
#                      protection on (AWS CLI v2) and the care
#                      console (web/care/ and a config.json from the stack's outputs) published to its bucket
#   make gameday       faults injected into the local stack, the alarm metric each one moves, and a flood of
#                      crisis-worded posts that texts the care team only within its budget
#   make faults        throttles, failures and lost answers injected into the local stack: nothing lost or sent twice
#
# aws-sam-cli and checkov pin conflicting dependencies, so each gets its own virtualenv under .tools/,
# built here from nothing with the system python3.

SAM_CLI_VERSION := 1.170.0
CHECKOV_VERSION := 3.3.30
# What the Lambda python3.12 runtime provides besides the standard library (for the import test).
LAMBDA_BOTO3_VERSION := 1.40.4

TOOLS := .tools
SAM_VENV := $(TOOLS)/sam-$(SAM_CLI_VERSION)
CHECKOV_VENV := $(TOOLS)/checkov-$(CHECKOV_VERSION)
SAM := $(SAM_VENV)/bin/sam
CHECKOV := $(CHECKOV_VENV)/bin/checkov
LAMBDA_RUNTIME_DIR := $(TOOLS)/lambda-runtime-boto3-$(LAMBDA_BOTO3_VERSION)
PIP_QUIET := --quiet --disable-pip-version-check

EXPANDED_TEMPLATE := build/template.expanded.json
SAM_BUILD_DIR := .aws-sam/build
HOST_LAYER_DIR := build/host-layer
ENV ?= dev

# No telemetry, no update checks, no Prisma Cloud download: the gates run offline.
export SAM_CLI_TELEMETRY := 0
CHECKOV_FLAGS := --framework cloudformation --skip-download --compact --quiet

.PHONY: validate template-lint template-scan template-expand sam-build host-layer deploy tools gameday faults

$(SAM):
	rm -rf $(SAM_VENV)
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install $(PIP_QUIET) aws-sam-cli==$(SAM_CLI_VERSION)
	test -x $@

$(CHECKOV):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install $(PIP_QUIET) checkov==$(CHECKOV_VERSION)
	test -x $@

$(LAMBDA_RUNTIME_DIR)/.done: | venv
	rm -rf $(LAMBDA_RUNTIME_DIR)
	$(PY) -m pip install $(PIP_QUIET) --target $(LAMBDA_RUNTIME_DIR) boto3==$(LAMBDA_BOTO3_VERSION)
	touch $@

tools: $(SAM) $(CHECKOV) ## Build the pinned aws-sam-cli and checkov virtualenvs under .tools/

template-lint: venv $(SAM) ## sam validate --lint and cfn-lint (no errors, no warnings)
	$(SAM) validate --lint --template-file template.yaml --region us-east-1
	$(VENV)/bin/cfn-lint --format parseable template.yaml

$(EXPANDED_TEMPLATE): template.yaml infra/expand_template.py infra/template.py | venv
	$(PY) -m infra.expand_template --output $@

template-expand: $(EXPANDED_TEMPLATE) ## Write the SAM-expanded template (offline) to build/

template-scan: $(CHECKOV) $(EXPANDED_TEMPLATE) ## checkov over template.yaml and its SAM expansion: 0 failed
	$(CHECKOV) $(CHECKOV_FLAGS) -f template.yaml
	$(CHECKOV) $(CHECKOV_FLAGS) -f $(EXPANDED_TEMPLATE)

sam-build: $(SAM) ## sam build: python3.12 arm64 artifacts in .aws-sam/build
	$(SAM) build --template-file template.yaml --build-dir $(SAM_BUILD_DIR)

# The arm64 cp312 layer cannot be imported by this machine's interpreter unless it is the same kind;
# the import test loads the very same function artifacts with this copy of the layer built from the
# same requirements.txt for the host, and checks that both layers hold the same distributions.
host-layer: venv $(LAMBDA_RUNTIME_DIR)/.done ## The dependency layer for this machine (import test)
	rm -rf $(HOST_LAYER_DIR)
	$(MAKE) --no-print-directory -C functions build-RuntimeDependenciesLayer \
		ARTIFACTS_DIR=$(abspath $(HOST_LAYER_DIR)) PYTHON=$(abspath $(PY)) \
		PIP_PLATFORM=manylinux2014_$(shell uname -m) \
		PIP_PYTHON_VERSION=$(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

validate: template-lint template-scan sam-build host-layer ## Template gates and the build: lint, scan, sam build

# sam deploy has no termination-protection option, so the AWS CLI (v2) turns it on right after, on the
# stack, profile and region samconfig.toml names for ENV; deleting the stack then needs a deliberate step.
deploy: venv sam-build ## sam deploy with samconfig.toml's [ENV] settings (ENV=dev|prod), then termination protection and the console
	@command -v aws >/dev/null || { echo "make deploy needs the AWS CLI v2 (docs/operations.md)"; exit 1; }
	@aws --version 2>&1 | grep -q '^aws-cli/2\.' || { echo "make deploy needs AWS CLI v2, not $$(aws --version 2>&1)"; exit 1; }
	target="$$($(PY) -m infra.deploy_target $(ENV))" && \
	$(SAM) deploy --config-env $(ENV) && \
	eval "aws cloudformation update-termination-protection --enable-termination-protection $$target" && \
	eval "aws cloudformation describe-stacks $$target --query 'Stacks[0].EnableTerminationProtection' --output text" && \
	$(PY) -m infra.publish_console --config-env $(ENV)

# Runs on this machine only (127.0.0.1, free ports) in about a minute and a half; tests/ops/test_gameday.py runs it too.
gameday: venv ## Deny SQS sends, break SES, stop a consumer, flood with crisis posts: alarm metrics move, texts stay in budget
	$(PY) -m infra.gameday

# Runs on this machine only (127.0.0.1, free ports) in about half a minute; tests/ops/test_fault_drills.py runs it too.
faults: venv ## Throttle DynamoDB, SQS, SES, SNS, take the chat webhook down, lose answers: count lost and doubled sends
	$(PY) -m infra.fault_drills
