# Test peers: real libzmq (pyzmq), msgpack, numpy, mosquitto, from Debian.
APT_PEERS := python3-zmq python3-msgpack python3-numpy python3-msgpack-numpy mosquitto mosquitto-clients
GO ?= go

.PHONY: test peers vet cross build bench-forward

test: peers vet cross
	$(GO) test -race -count=1 -timeout 15m ./...

# Install the Debian packages the interop tests use, only when missing.
peers:
	@missing=""; for p in $(APT_PEERS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing test peers:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

vet:
	$(GO) vet ./...

# The single static binary must cross-build for Raspberry Pi.
cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build ./...
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 $(GO) build ./...

build:
	CGO_ENABLED=0 $(GO) build -o banyan ./cmd/banyan

bench-forward:
	bench/compare-forwarders.sh 3 1000000
