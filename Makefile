# Test peers: real libzmq (pyzmq), msgpack, numpy, mosquitto, from Debian;
# and the sister frameworks' libraries: Ruby's ffi-rzmq and msgpack, Java's
# JeroMQ (0.3.6 in bookworm: ZMTP 2.0) and a JDK to compile the Java peers,
# node for the JS ones (npm's libraries come from NPM_PEERS, below), and
# chromium, which the web view's browser tests drive through chromedp.
APT_PEERS := python3-zmq python3-msgpack python3-numpy python3-msgpack-numpy mosquitto mosquitto-clients \
	ruby-ffi-rzmq ruby-msgpack libjeromq-java default-jdk-headless nodejs chromium
# js-banyan's npm libraries (zeromq 6.8, used through zeromq/v5-compat, and
# msgpack-lite 0.1.26), installed by `npm ci` from the committed lock file
# into this cache directory, which internal/testpeer reads too (override
# both with BANYAN_NPM_PEERS). zeromq ships prebuilt binaries for Linux
# x64/arm64, so no compiler is needed and its install script is not run.
NPM_LOCK := testdata/sisters/js/package-lock.json
NPM_PEERS ?= $(or $(BANYAN_NPM_PEERS),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/gobanyan/npm)
GO ?= go

# Fuzzers run for a bounded number of executions by make test (about 7 s
# each on a quiet machine): package:Fuzzer, or package:Fuzzer:COUNT for one
# whose inputs cost more (the CURVE decoders open NaCl boxes) than FUZZTIME
# suits.
FUZZ := ./internal/zmtp:FuzzFrameReader ./internal/zmtp:FuzzGreeting ./internal/prefixset:FuzzSet \
	./internal/codec:FuzzValidate ./internal/codec:FuzzAppendLegacy ./ndarray:FuzzDecode ./internal/render:FuzzRender \
	./bridge/tcp:FuzzFraming ./internal/msgjson:FuzzJSONToMsgpack ./internal/msgjson:FuzzMsgpackToJSON ./internal/msgjson:FuzzRoundTrip ./internal/pyrepr:FuzzStr \
	./gateway/firmata:FuzzLink ./gateway/firmata/firmatasim:FuzzFirmware ./gateway/esp8266:FuzzScanner \
	./internal/benchmark:FuzzParsePayload:50000x ./bridge/nats:FuzzMapping:50000x ./bridge/nats:FuzzImport:30000x \
	./internal/zmtp:FuzzCurveOpen:300x ./internal/curve:FuzzHello:10000x ./internal/curve:FuzzWelcome:10000x ./internal/curve:FuzzInitiate:10000x \
	./internal/curve:FuzzReady:10000x ./internal/curve:FuzzMessage:10000x ./internal/curve:FuzzZ85:100000x ./internal/curve:FuzzZPL:100000x
# A count, not a duration: Go 1.26's fuzz coordinator can fail a run with
# "context deadline exceeded" when a -fuzztime duration ends while a worker
# is busy, which happens on a loaded machine (golang/go#75804, fixed in 1.27).
# 150,000 keeps the whole of make test under 10 minutes on a 2-core machine
# (200,000 brought it to 9 min 9 s); run longer with FUZZTIME=...
FUZZTIME ?= 150000x
# Packages whose size arithmetic must hold on 32-bit too, tested in a
# GOARCH=386 build (no -race there: the race detector needs 64 bits).
TEST386 := ./internal/zmtp ./internal/codec ./internal/prefixset ./ndarray ./internal/render ./bridge/tcp ./internal/msgjson ./internal/pyrepr ./internal/pyfloat \
	./gateway/firmata/... ./gateway/esp8266/... ./gateway/rpi/...

.PHONY: test peers vet cross build bench-forward fuzz test386 bench-peers

test: peers vet cross
	$(GO) test -race -count=1 -timeout 15m ./...
	$(MAKE) --no-print-directory bench-peers
	$(MAKE) --no-print-directory test386
	$(MAKE) --no-print-directory fuzz

# Some machines cannot execute 386 binaries ("exec format error": IA32
# emulation off in the kernel or the sandbox). There the 386 tests are built
# and vetted but cannot run, and the run says so; everywhere else they run.
test386:
	@if CGO_ENABLED=0 GOARCH=386 $(GO) test -count=1 -run '^$$' ./internal/pyfloat >/dev/null 2>&1; then \
	  echo "CGO_ENABLED=0 GOARCH=386 $(GO) test -count=1 -timeout 10m $(TEST386)"; \
	  CGO_ENABLED=0 GOARCH=386 $(GO) test -count=1 -timeout 10m $(TEST386); \
	else \
	  echo "test386: this machine cannot execute 386 binaries; building and vetting the 386 tests without running them"; \
	  d=$$(mktemp -d) && CGO_ENABLED=0 GOARCH=386 $(GO) test -c -o $$d/ $(TEST386) && \
	  CGO_ENABLED=0 GOARCH=386 $(GO) vet $(TEST386); rc=$$?; rm -rf $$d; exit $$rc; \
	fi

fuzz:
	@set -e; for f in $(FUZZ); do \
	  pkg=$${f%%:*}; rest=$${f#*:}; name=$${rest%%:*}; n=$(FUZZTIME); \
	  case $$rest in *:*) n=$${rest#*:};; esac; \
	  echo "fuzz $$pkg $$name for $$n"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$n -fuzzminimizetime 500x $$pkg; \
	done

# Install the Debian packages the interop tests use, only when missing
# (Debian's npm too when nodejs came without one), then js-banyan's npm
# libraries when the cache's copy of the lock file differs from ours.
peers:
	@missing=""; for p in $(APT_PEERS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	if [ -n "$$missing" ]; then \
	  echo "installing test peers:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi; \
	if ! command -v npm >/dev/null; then \
	  echo "installing test peers: npm"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; \
	fi
	@if ! cmp -s $(NPM_LOCK) "$(NPM_PEERS)/.gobanyan-lock.json"; then \
	  echo "installing js test peers into $(NPM_PEERS)"; \
	  rm -f "$(NPM_PEERS)/.gobanyan-lock.json" && mkdir -p "$(NPM_PEERS)" && \
	  cp testdata/sisters/js/package.json $(NPM_LOCK) "$(NPM_PEERS)/" && \
	  (cd "$(NPM_PEERS)" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) && \
	  NODE_PATH="$(NPM_PEERS)/node_modules" node -e "require('zeromq/v5-compat'); require('msgpack-lite')" && \
	  cp $(NPM_LOCK) "$(NPM_PEERS)/.gobanyan-lock.json"; \
	fi

vet:
	$(GO) vet ./...

# The benchmark module beside the product (bench/peers: NATS and MQTT as
# load-generator buses, busbench, plots) has its own go.mod, so ./... does
# not reach it: vet it and run its short tests, so that it keeps building.
bench-peers:
	cd bench/peers && $(GO) vet ./... && $(GO) test -count=1 -timeout 5m ./...

# The single static binary must cross-build for Raspberry Pi.
cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build ./...
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 $(GO) build ./...

build:
	CGO_ENABLED=0 $(GO) build -o banyan ./cmd/banyan

bench-forward:
	bench/compare-forwarders.sh 3 1000000
