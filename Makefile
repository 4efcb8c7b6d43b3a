# SPDX-License-Identifier: GPL-3.0-or-later
# bobbin — terminal notebook client for Jupyter.
#   make            build ./bobbin
#   make deps       install what is missing (Debian packages)
#   make test       deps + build + every test suite, ends with "N passed, N failed"
#   make run        build and open the tour notebook
#   make SAN=1 ...  the same, built with AddressSanitizer + UBSan (in build/san-CC)
#   make fuzz       libFuzzer builds of tests/fuzz/ (clang); make fuzz-short runs each briefly
#   make install PREFIX=/usr/local

CC      ?= cc
PREFIX  ?= /usr/local
# libcmark-gfm (GitHub's CommonMark fork) replaces libcmark: the two export the same symbols, so
# only one may be linked. Debian's libcmark-gfm.pc already lists -lcmark-gfm-extensions (the
# tables, strikethrough, autolink and task list extensions, from libcmark-gfm-extensions-dev,
# which has no .pc of its own; its header is /usr/include/cmark-gfm-core-extensions.h).
PKGS     = ncursesw libzmq jansson readline libcrypto libcmark-gfm chafa spng libjpeg libgif libcurl
CSTD     = -std=c11 -D_GNU_SOURCE
# snprintf truncation is how bobbin bounds strings on purpose, so gcc's warning about it is off
# (clang has no such warning).
WARN     = -Wall -Wextra -Werror -Wno-unused-parameter \
           $(shell $(CC) -Werror -Wno-format-truncation -E -x c /dev/null >/dev/null 2>&1 && echo -Wno-format-truncation)
OPT     ?= -O2 -g

CCNAME  := $(notdir $(firstword $(CC)))
ifeq ($(SAN),1)
B        = build/san-$(CCNAME)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      = -O1 -g
else
B        = build/rel-$(CCNAME)
SANFLAGS =
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

CFLAGS  += $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -I. $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS   = $(PKG_LIBS) -lwslay -lm

KC_SRC  = $(wildcard kernelclient/*.c)
NB_SRC  = $(wildcard notebook/*.c)
TUI_SRC = $(filter-out tui/main.c,$(wildcard tui/*.c))
KC_OBJ  = $(KC_SRC:%.c=$(B)/%.o) $(B)/gen/agent_text.o
NB_OBJ  = $(NB_SRC:%.c=$(B)/%.o)
TUI_OBJ = $(TUI_SRC:%.c=$(B)/%.o)
LIBS_A  = $(B)/libtui.a $(B)/libnotebook.a $(B)/libkernelclient.a

UNIT    = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
INTEG   = $(patsubst tests/integration/%.c,$(B)/tests/%,$(wildcard tests/integration/test_*.c))
FUZZ    = $(patsubst tests/fuzz/%.c,$(B)/tests/%,$(wildcard tests/fuzz/fuzz_*.c))
BENCH   = $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/*.c))

.PHONY: all deps test test-build run install clean fuzz fuzz-short bench check-deps

ifeq ($(SAN),1)
# A sanitizer build stays in its build directory; ./bobbin is always the ordinary one.
all: $(B)/bobbin
bobbin: all
else
all: bobbin

# Copied through a rename, so a ./bobbin that is running does not stop the build.
bobbin: $(B)/bobbin
	@cp $(B)/bobbin bobbin.tmp && mv -f bobbin.tmp bobbin
endif

$(B)/bobbin: $(B)/tui/main.o $(LIBS_A)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The routing agent ships inside the library as a C string: the one line of Python that installs
# it (scripts/embed_agent.sh wraps the module's source).
$(B)/gen/agent_boot.py: kernelclient/agents/bobbin_agent.py scripts/embed_agent.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed_agent.sh $< >$@.tmp && mv -f $@.tmp $@
$(B)/gen/agent_text.c: $(B)/gen/agent_boot.py scripts/embed.sh
	@sh scripts/embed.sh kcp_agent_text $< >$@
$(B)/gen/agent_text.o: $(B)/gen/agent_text.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libkernelclient.a: $(KC_OBJ)
	@rm -f $@; ar rcs $@ $^
$(B)/libnotebook.a: $(NB_OBJ)
	@rm -f $@; ar rcs $@ $^
$(B)/libtui.a: $(TUI_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS) $(CMOCKA_LIBS)
$(B)/tests/%: tests/integration/%.c tests/integration/kctest.h tests/integration/jsrv.h $(LIBS_A)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS) $(CMOCKA_LIBS)
# Fuzz harnesses build two ways: with a corpus-replay driver (here, any compiler,
# run by the test suite) and with libFuzzer (`make fuzz`, clang).
$(B)/tests/%: tests/fuzz/%.c tests/fuzz/driver.c $(LIBS_A)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/driver.c $(LIBS_A) $(LDLIBS)
$(B)/bench/%: bench/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS)

deps:
	@sh scripts/deps.sh

test-build: all $(UNIT) $(INTEG) $(FUZZ)

test: deps
	@$(MAKE) --no-print-directory test-build
	@B=$(B) sh tests/run.sh

# libFuzzer builds in build/fuzz: the libraries (with the generated agent text) built once by
# the ordinary rules with clang and coverage instrumentation, then one link per harness.
# `make fuzz-short` runs each harness for FUZZ_SECONDS (default 10) from its seed corpus, in a
# scratch copy so the seeds stay as committed; `make fuzz` only builds them.
FUZZ_SECONDS ?= 10
FUZZ_LIBS = build/fuzz/libtui.a build/fuzz/libnotebook.a build/fuzz/libkernelclient.a
fuzz:
	@$(MAKE) --no-print-directory CC=clang B=build/fuzz OPT="-O1 -g" \
	  SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" $(FUZZ_LIBS)
	@for f in tests/fuzz/fuzz_*.c; do n=$$(basename $$f .c); \
	  clang $(CSTD) -g -O1 -I. $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined -o build/fuzz/$$n $$f \
	    $(FUZZ_LIBS) $(PKG_LIBS) -lm && echo built build/fuzz/$$n || exit 1; done

fuzz-short: fuzz
	@for f in tests/fuzz/fuzz_*.c; do n=$$(basename $$f .c); \
	  rm -rf build/fuzz/corpus/$$n; mkdir -p build/fuzz/corpus/$$n; \
	  cp tests/fuzz/corpus/$$n/* build/fuzz/corpus/$$n/ 2>/dev/null; \
	  echo "fuzz $$n for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=build/fuzz/$$n- build/fuzz/corpus/$$n >build/fuzz/$$n.log 2>&1 \
	    || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  grep '^Done' build/fuzz/$$n.log; done

bench: bobbin $(BENCH)
	@B=$(B) sh bench/run.sh

run: deps
	@$(MAKE) --no-print-directory bobbin
	./bobbin examples/tour.ipynb

install: bobbin
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bobbin/themes
	install -m 755 bobbin $(DESTDIR)$(PREFIX)/bin/bobbin
	install -m 644 docs/bobbin.1 $(DESTDIR)$(PREFIX)/share/man/man1/bobbin.1
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/bobbin/themes/
	install -d $(DESTDIR)$(PREFIX)/share/bobbin/python
	install -m 644 kernelclient/agents/bobbin_agent.py $(DESTDIR)$(PREFIX)/share/bobbin/python/
	install -d $(DESTDIR)$(PREFIX)/share/doc/bobbin
	install -m 644 README.md LICENSE docs/*.md $(DESTDIR)$(PREFIX)/share/doc/bobbin/

clean:
	rm -rf build bobbin

-include $(shell find build -name '*.d' 2>/dev/null)
