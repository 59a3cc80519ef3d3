# sluice - small C programs for analytics pipelines.
#
#   make              build the programs into bin/ and lib/libsluice.a
#   make test         install missing dependencies, build, run every test
#   make asan         the same tests against an ASan+UBSan build
#   make valgrind     the same tests under valgrind (memcheck)
#   make fuzz         each parser's libFuzzer target FUZZ_SECONDS (60) seconds
#   make bench        side-by-side benchmarks against peer tools
#   make tools        the programs and the tools tests and benchmarks use
#   make demo         the batch and streaming pipelines, then the dashboard
#                     (DEMO_SECONDS=30, DEMO_SERVE=0 to skip serving)
#   make install      PREFIX=/usr/local DESTDIR= (programs, man pages, schemas,
#                     the warehouse DDL)
#   make clean

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/sluice

# Objects go under O, programs under B; `make asan` uses other folders so
# the two builds never mix.
O ?= build
B ?= bin
LIBA ?= lib/libsluice.a

CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wundef -Wno-format-nonliteral
# Warnings fail the build; a user on another compiler can say WERROR=.
WERROR ?= -Werror
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
endif

PKG_CONFIG ?= pkg-config
# Every library with a .pc; libcsv has none.
PKGS = jansson zlib rdkafka sqlite3 libzstd snappy libpq
PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

ALL_CPPFLAGS = -Ilib -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DSLUICE_DATADIR='"$(DATADIR)"' $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNINGS) $(WERROR) $(SANFLAGS) $(PC_CFLAGS) \
	$(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
# What every program links: libsluice and the libraries under it (-j's
# threads: lib/par.c).
LIB_LIBS = $(call pc_libs,jansson zlib) -lcsv -lm -pthread

# Link the objects and archives a target depends on, plus $(LIBS_<name>):
# the objects, the archives of lib/'s folders, libsluice last (the
# others are built on it).
define link
@mkdir -p $(@D)
$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) \
	$(filter-out $(LIBA),$(filter %.a,$^)) $(filter $(LIBA),$^) \
	$(LIBS_$(@F)) $(LIB_LIBS) $(LDLIBS)
endef

# Make an archive of the objects a target depends on.
define archive
@mkdir -p $(@D)
rm -f $@
$(AR) rcs $@ $^
endef

# lib/*.c is libsluice, the core; lib/*/ are the libraries built on it
# (docs/ARCHITECTURE.md), each its own archive from lib/*/rules.mk.
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)

# Each folder's rules.mk adds its programs to PROGRAMS (and tests/rules.mk
# its test binaries to TEST_BINS); lib/'s come first, for the archives'
# names the programs' rules use.
PROGRAMS :=
TEST_BINS :=
include $(sort $(wildcard lib/*/rules.mk))
include $(sort $(wildcard */rules.mk))

.PHONY: all tools test check asan valgrind fuzz bench install clean deps deps-demo demo
.DEFAULT_GOAL := all
# Keep objects make would think intermediate (test programs).
.SECONDARY:

# The warehouse's DDL, SQLite's and PostgreSQL's, made from one source:
# the same tables, each in its dialect's types (sink/warehouse.awk).
DDL := sink/warehouse.sql sink/warehouse-pg.sql

all: $(LIBA) $(PROGRAMS) $(DDL)

$(DDL): sink/warehouse.sql.in sink/warehouse.awk
	awk -v dialect=$(if $(findstring -pg.,$@),pg,sqlite) \
		-f sink/warehouse.awk $< >$@.tmp && mv $@.tmp $@

$(LIBA): $(LIB_OBJ)
	$(archive)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The installed schemas' folder is compiled in: rebuild when it changes
# (make PREFIX=/usr install rebuilds what needs to know).
$(O)/datadir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(O)/lib/schema_find.o: $(O)/datadir.stamp
.PHONY: FORCE

# The version, from one place: the VERSION file (lib/opts.c alone has it).
VERSION := $(shell cat VERSION)
%/lib/opts.o: ALL_CPPFLAGS += -DSLUICE_VERSION='"$(VERSION)"'
$(O)/lib/opts.o: VERSION
# snappy has no run-time version: the one pkg-config knows.
%/lib/parquet/compress.o: ALL_CPPFLAGS += \
	-DSNAPPY_PC_VERSION='"$(shell $(PKG_CONFIG) --modversion snappy 2>/dev/null)"'

deps:
	@scripts/deps --check || scripts/deps

# The demo needs the build's and the jobs' packages, not the tests'.
deps-demo:
	@scripts/deps --demo --check || scripts/deps --demo

# The tests find the programs through SLUICE_BIN and the test tools through
# SLUICE_TOOLS; SLUICE_WRAP runs each program under a tool (valgrind).
PROVE = prove -j2 --timer
SHELL_TESTS = $(sort $(wildcard tests/*.t))
TEST_ENV = SLUICE_BIN=$(abspath $(B)) SLUICE_TOOLS=$(abspath $(O)/tests/bin) \
	SLUICE_SCHEMAS=$(CURDIR)/gen/schemas \
	SLUICE_TOP=$(CURDIR)

test: deps
	@$(MAKE) --no-print-directory check

# The programs and the tools the tests and benchmarks use, built.
tools: all $(TEST_BINS)

check: all $(TEST_BINS)
	$(TEST_ENV) $(PROVE) -e '' $(filter %.t,$(TEST_BINS)) $(SHELL_TESTS)

asan: deps
	@$(MAKE) --no-print-directory O=build/asan B=build/asan/bin \
		LIBA=build/asan/libsluice.a SAN=1 check

VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
valgrind: deps
	@$(MAKE) --no-print-directory all $(TEST_BINS)
	$(TEST_ENV) SLUICE_WRAP='$(VALGRIND)' $(PROVE) -e '$(VALGRIND)' \
		$(filter %.t,$(TEST_BINS))
	$(TEST_ENV) SLUICE_WRAP='$(VALGRIND)' $(PROVE) -e '' $(SHELL_TESTS)

demo: deps-demo all
	scripts/demo

bench: deps all $(TEST_BINS)
	SLUICE_BIN=$(abspath $(B)) SLUICE_TOOLS=$(abspath $(O)/tests/bin) bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/schemas
	$(if $(PROGRAMS),install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR))
	@for f in $(wildcard man/*.[1-9]); do \
		s=$${f##*.}; \
		install -d $(DESTDIR)$(MANDIR)/man$$s && \
		install -m 644 $$f $(DESTDIR)$(MANDIR)/man$$s || exit 1; \
	done
	$(if $(wildcard gen/schemas/*.json),install -m 644 $(wildcard gen/schemas/*.json) $(DESTDIR)$(DATADIR)/schemas)
	install -m 644 $(DDL) $(DESTDIR)$(DATADIR)

clean:
	rm -rf build bin lib/libsluice.a $(DDL)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
