# ExamFlow — one static binary from one C file, against BearSSL.
#
#   make            ./examflow (static; musl-gcc when installed, else cc -static)
#   make test       release build + unit tests + end-to-end tests, then all of
#                   it again under -fsanitize=address,undefined
#   make demo       build and start the console demo
#   make release KEY=PREFIX.key [VERSION=x.y.z] [NOTES='one line'] [RELEASE_DIR=release]
#                   build, then sign: RELEASE_DIR/manifest and the binary, ready for
#                   any static HTTPS host (see README, "Publishing a release")
#   make bench      performance figures (printed, never asserted)
#   make fuzz       libFuzzer targets for a bounded time (clang)
#   make chaos      the long kill -9 storage test
#   make image      the container image (podman or docker): README's Dockerfile,
#                   final stage, from this ./examflow and the host's CA bundle
#   make windows    ./examflow.exe: the same program for Windows (x86_64), cross-compiled
#                   with mingw-w64 (apt-get install mingw-w64); README, "Windows"
#   make clean      build output;  make distclean  also the fetched BearSSL

VERSION    = 0.1.0
BUILD_DATE := $(shell date -u +%Y-%m-%d)

# Build output stays under tests/ (the top level holds only the product).
B = tests/build

BEARSSL_VER = 0.6
BEARSSL_DIR = vendor/bearssl-$(BEARSSL_VER)

MUSL_GCC := $(shell command -v musl-gcc 2>/dev/null)
ifneq ($(MUSL_GCC),)
  RELEASE_CC  = musl-gcc
  RELEASE_LIB = vendor/build-musl/libbearssl.a
else
  RELEASE_CC  = cc
  RELEASE_LIB = vendor/build-cc/libbearssl.a
endif
TEST_CC  = cc
FUZZ_CC  = clang

WARN      = -Wall -Wextra -Werror
# Unit tests include examflow.c without main(): most of the program is then
# unreferenced, which is expected there and only there.
TEST_WARN = $(WARN) -Wno-unused-function
DEFS      = -DEXAMFLOW_VERSION='"$(VERSION)"' -DEXAMFLOW_BUILD_DATE='"$(BUILD_DATE)"' \
            -DEXAMFLOW_BEARSSL_VERSION='"$(BEARSSL_VER)"' -D_GNU_SOURCE
INC       = -I$(BEARSSL_DIR)/inc
REL_FLAGS = -Os -static -s $(WARN) $(DEFS) $(INC)
DBG_FLAGS = -O1 -g $(TEST_WARN) $(DEFS) $(INC)
SAN_BASE  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined $(DEFS) $(INC)
SAN_FLAGS = $(SAN_BASE) $(WARN)

UNIT_SRC  = $(wildcard tests/unit_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/%.c=$(B)/test/%)
UNIT_SAN  = $(UNIT_SRC:tests/%.c=$(B)/asan/%)

.PHONY: all windows test demo bench fuzz chaos image clean distclean bearssl-src release

all: examflow

# --- BearSSL: fetched, verified and built per compiler, never committed ------
$(BEARSSL_DIR)/inc/bearssl.h:
	@sh vendor/fetch-bearssl.sh

# One BearSSL build per compiler, so switching compilers never links a stale library.
BEARSSL_CC_musl  = musl-gcc
BEARSSL_CC_cc    = $(TEST_CC)
BEARSSL_CC_clang = $(FUZZ_CC)
BEARSSL_CC_mingw = $(MINGW_CC)
# mingw: its own archiver; BearSSL's "#pragma comment(lib)" is for MSVC
BEARSSL_OPT_mingw = AR=x86_64-w64-mingw32-ar CFLAGS="-W -Wall -Os -Wno-unknown-pragmas"
vendor/build-%/libbearssl.a: $(BEARSSL_DIR)/inc/bearssl.h
	@echo "building BearSSL with $(BEARSSL_CC_$*)"
	@$(MAKE) -s -C $(BEARSSL_DIR) CC=$(BEARSSL_CC_$*) LD=$(BEARSSL_CC_$*) $(BEARSSL_OPT_$*) BUILD=$(CURDIR)/vendor/build-$* lib >/dev/null

# --- the product -------------------------------------------------------------
examflow: examflow.c $(RELEASE_LIB) Makefile
ifeq ($(MUSL_GCC),)
	@echo "note: musl-gcc not found, linking statically against glibc (DNS then needs glibc's NSS libraries at run time); for the portable build: apt-get install musl-tools"
endif
	$(RELEASE_CC) $(REL_FLAGS) -o $@ examflow.c $(RELEASE_LIB)

# Windows: one static PE32+ binary that needs only DLLs every Windows has
# (kernel32, user32, advapi32, crypt32, ws2_32, msvcrt); winpthreads (the
# DNS threads) is linked in statically.
MINGW_CC    = x86_64-w64-mingw32-gcc
MINGW       := $(shell command -v $(MINGW_CC) 2>/dev/null)
WIN_FLAGS   = -Os -static -s $(WARN) $(DEFS) $(INC)
WIN_LIBS    = -lws2_32 -lcrypt32 -ladvapi32 -luser32 -Wl,-Bstatic -lpthread
examflow.exe: examflow.c vendor/build-mingw/libbearssl.a Makefile
	$(MINGW_CC) $(WIN_FLAGS) -o $@ examflow.c vendor/build-mingw/libbearssl.a $(WIN_LIBS)

windows:
	@test -n "$(MINGW)" || { echo "make windows needs mingw-w64 (apt-get install mingw-w64)"; exit 1; }
	@$(MAKE) --no-print-directory examflow.exe

$(B)/examflow-asan: examflow.c vendor/build-cc/libbearssl.a Makefile
	@mkdir -p $(B)
	$(TEST_CC) $(SAN_FLAGS) -o $@ examflow.c vendor/build-cc/libbearssl.a

$(B)/test/%: tests/%.c tests/check.h examflow.c vendor/build-cc/libbearssl.a
	@mkdir -p $(B)/test
	$(TEST_CC) $(DBG_FLAGS) -o $@ $< vendor/build-cc/libbearssl.a

$(B)/asan/%: tests/%.c tests/check.h examflow.c vendor/build-cc/libbearssl.a
	@mkdir -p $(B)/asan
	$(TEST_CC) $(SAN_BASE) $(TEST_WARN) -o $@ $< vendor/build-cc/libbearssl.a

# --- a signed release ------------------------------------------------------------
# Always a fresh build of its own (./examflow is left alone), so VERSION= on
# the command line is the version signed.  The signing key never leaves KEY.
RELEASE_DIR ?= release
NOTES ?=
release: $(RELEASE_LIB)
	@test -n "$(KEY)" || { echo "usage: make release KEY=PREFIX.key [VERSION=x.y.z] [NOTES='one line'] [RELEASE_DIR=release]"; exit 2; }
	@mkdir -p $(B)/release
	$(RELEASE_CC) $(REL_FLAGS) -o $(B)/release/examflow examflow.c $(RELEASE_LIB)
	$(B)/release/examflow sign -k "$(KEY)" -o "$(RELEASE_DIR)" -n "$(NOTES)" $(B)/release/examflow

# --- container image ---------------------------------------------------------
# The Dockerfile lives in README.md ("Deploy on Render").  Its build stage
# needs a base image from a registry; `make image` builds its final stage
# (FROM scratch: nothing to pull) from the static ./examflow and the host's CA
# bundle laid out as the build stage leaves them (tests/deploy_files.py).
IMAGE     ?= examflow:$(VERSION)
CONTAINER ?= $(shell command -v podman 2>/dev/null || command -v docker 2>/dev/null)
CA_BUNDLE ?= $(firstword $(wildcard /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem /etc/ssl/cert.pem))
image: examflow README.md tests/deploy_files.py
	@test -n "$(CONTAINER)" || { echo "make image needs podman or docker (apt-get install podman)"; exit 1; }
	@test -n "$(CA_BUNDLE)" || { echo "make image needs a CA bundle (apt-get install ca-certificates)"; exit 1; }
	@file examflow | grep -q 'statically linked' || { echo "make image needs a static ./examflow (apt-get install musl-tools, make clean all)"; exit 1; }
	python3 tests/deploy_files.py context $(B)/image examflow $(CA_BUNDLE)
	$(CONTAINER) build -q -f $(B)/image/Containerfile -t $(IMAGE) $(B)/image
	@echo "built $(IMAGE): $(CONTAINER) run --rm -v examflow-data:/data --env-file examflow.env $(IMAGE)"

# --- tests ---------------------------------------------------------------------
# The 20-odd test builds each compile all of examflow.c: built in parallel
# (one job per core) they take half the time of a serial make on 2 cores.
NPROC     := $(shell nproc 2>/dev/null || echo 2)
TEST_BINS  = examflow $(B)/examflow-asan $(UNIT_BIN) $(UNIT_SAN) $(if $(MINGW),examflow.exe)
test:
	@$(MAKE) --no-print-directory -j$(NPROC) $(TEST_BINS)
	python3 tests/run.py --suite release:./examflow:$(B)/test --suite asan:$(B)/examflow-asan:$(B)/asan

chaos: examflow $(B)/examflow-asan $(UNIT_BIN)
	EXAMFLOW_CHAOS=1 python3 tests/run.py --suite release:./examflow:$(B)/test --only unit_store

demo: examflow
	./examflow demo

$(B)/bench/%: tests/%.c examflow.c vendor/build-cc/libbearssl.a
	@mkdir -p $(B)/bench
	$(TEST_CC) -O2 $(TEST_WARN) $(DEFS) $(INC) -o $@ $< vendor/build-cc/libbearssl.a

# ExamFlow and python-telegram-bot 13 side by side (issue 16): one table, a few
# minutes; BENCH_FLAGS=--quick for smaller sizes, --markdown for README's section.
# The figures are kept in $(B)/bench/figures.json; README's performance section
# is regenerated from them with
#   python3 tests/bench_all.py --load tests/build/bench/figures.json --readme README.md
# tests/bench.py is the older, more detailed look at the Telegram engine alone.
BENCH_FLAGS ?=
bench: examflow $(B)/bench/bench_store
	python3 tests/bench_all.py ./examflow --store $(B)/bench/bench_store --save $(B)/bench/figures.json $(BENCH_FLAGS)

# Each target runs FUZZ_SECONDS from tests/corpus/NAME plus what earlier runs
# found ($(B)/fuzz/corpus-NAME); a crash, a leak or a sanitizer report fails
# make and leaves the input in $(B)/fuzz/NAME-crash-* (the log in NAME.log).
FUZZ_SECONDS ?= 60
FUZZ_SRC = $(wildcard tests/fuzz_*.c)
fuzz: vendor/build-clang/libbearssl.a
	@mkdir -p $(B)/fuzz
	@for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); \
	  $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(DEFS) $(INC) -o $(B)/fuzz/$$n $$f vendor/build-clang/libbearssl.a || exit 1; \
	  mkdir -p $(B)/fuzz/corpus-$$n; \
	  echo "fuzzing $$n for $(FUZZ_SECONDS) s"; \
	  if $(B)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(B)/fuzz/$$n- $(B)/fuzz/corpus-$$n tests/corpus/$$n >$(B)/fuzz/$$n.log 2>&1; then \
	    tail -3 $(B)/fuzz/$$n.log; \
	  else \
	    tail -40 $(B)/fuzz/$$n.log; \
	    echo "fuzz: $$n FAILED (log: $(B)/fuzz/$$n.log, input: $(B)/fuzz/$$n-crash-* or -leak-*/-timeout-*)"; \
	    exit 1; \
	  fi; \
	done

clean:
	rm -rf $(B) examflow examflow.exe vendor/build-*

distclean: clean
	rm -rf $(BEARSSL_DIR)
