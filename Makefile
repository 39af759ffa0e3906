# SPDX-License-Identifier: Apache-2.0
# famctl: build and install like any system tool.
#
#   make                          release build (Swift runtime linked in statically), as the
#                                 user whose PATH has swift
#   sudo make install             install that build under PREFIX (default /usr/local); never
#                                 builds, so swift need not be on root's PATH
#   sudo make install-strip       the same with the binary stripped
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#   make install FAMCTL=path      install that binary instead of the release build
#   make uninstall                remove what install put there
#   make docs                     regenerate man/ and completions/ (scripts/gen-docs.sh)
#
# Installs the binary, a mkfs.famfs link (so `mkfs -t famfs <device>` runs
# `famctl famfs mkfs`), the section-8 man pages and the bash, zsh and fish completions.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

SWIFT ?= swift
# The shipped build has a build directory of its own, so that no other build (the debug
# build of the tests, a plain `swift build -c release`) writes a different binary at its path.
SHIP_DIR ?= .build-ship
# The Swift runtime calls 26 functions of libstdc++; linked as a shared library it costs every
# start the loading and binding of ~4,300 of its symbols (2.1 M of 9.5 M instructions of
# `famctl --version`). The runtime's own -lstdc++ finds this linker script first (a -L before
# the compiler's), which names the static archive: only those functions are linked in.
STATIC_CXX_DIR = $(abspath $(SHIP_DIR))/static-libstdc++
# libgcc's unwinder is linked in too (-static-libgcc): as libgcc_s.so.1 it was one more
# library to map, relocate and bind at every start (7 page faults of ~330).
# The toolchain's lld packs the 42,000 relative relocations of the position-independent
# binary (the Swift runtime's metadata) as RELR (glibc >= 2.36): 8 KiB instead of gold's
# 1 MiB of RELA entries to read and apply at every start (0.2 M instructions, 11 faults).
# Every function in a section of its own, and those of the quick path (--version, list,
# reconfigure-device) placed first and together by the order file that
# scripts/gen-startup-order.sh makes: start-up then faults in fewer 64 KiB runs of code. The
# same file places the zero-filled data (.bss sections) the quick path touches together.
# LINK_MAP=FILE has the linker write its map there (the script reads it).
# --no-export-dynamic undoes the -export-dynamic of the toolchain's static-stdlib-args.lnk:
# nothing loads famctl's own symbols by name, and the runtime's start-up dladdr scanned all
# ~4,300 of them (0.11 M of 1.0 M instructions of `famctl --version`).
STARTUP_ORDER = packaging/startup-order.txt
# No $ORIGIN rpath (nothing is installed next to the binary) and full RELRO, as Debian wants.
SWIFT_BUILD_FLAGS ?= -c release --static-swift-stdlib --disable-local-rpath \
	-Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now -Xswiftc -L$(STATIC_CXX_DIR) \
	-Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
	-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
	-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
	-Xlinker --no-export-dynamic -Xlinker --symbol-ordering-file=$(abspath $(STARTUP_ORDER)) -Xlinker --no-warn-symbol-ordering \
	$(if $(LINK_MAP),-Xlinker -Map=$(abspath $(LINK_MAP)) -Xlinker --no-demangle)
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 0755

# The binary to install: the release build unless FAMCTL names one.
SHIP_BIN = $(SHIP_DIR)/release/famctl
FAMCTL ?= $(SHIP_BIN)

MAN_PAGES = $(wildcard man/*.8)

.PHONY: all build install install-strip uninstall docs print-bin

all: build

# SwiftPM does not know the linker's order file: a newer one removes the binary to relink it.
build: $(STATIC_CXX_DIR)/libstdc++.so
	@if [ -e $(SHIP_BIN) ] && [ $(STARTUP_ORDER) -nt $(SHIP_BIN) ]; then rm $(SHIP_BIN); fi
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --scratch-path $(SHIP_DIR) --product famctl

$(STATIC_CXX_DIR)/libstdc++.so:
	mkdir -p "$(@D)"
	archive=$$($(CC) -print-file-name=libstdc++.a) && test -f "$$archive" && echo "INPUT($$archive)" >"$@"

install:
	@test -x "$(FAMCTL)" || { echo "make install: $(FAMCTL) is not built; run 'make' first (as the user whose PATH has swift), then 'sudo make install'" >&2; exit 1; }
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(MANDIR)/man8" \
		"$(DESTDIR)$(BASHCOMPDIR)" "$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(FISHCOMPDIR)"
	$(INSTALL_PROGRAM) "$(FAMCTL)" "$(DESTDIR)$(BINDIR)/famctl"
	ln -sfr "$(DESTDIR)$(BINDIR)/famctl" "$(DESTDIR)$(SBINDIR)/mkfs.famfs"
	$(INSTALL) -m 0644 $(MAN_PAGES) "$(DESTDIR)$(MANDIR)/man8/"
	ln -sf famctl-famfs-mkfs.8 "$(DESTDIR)$(MANDIR)/man8/mkfs.famfs.8"
	# bash-completion sources the file, so the generated #! line is dropped.
	sed '1{/^#!/d}' completions/famctl.bash >"$(DESTDIR)$(BASHCOMPDIR)/famctl"
	chmod 0644 "$(DESTDIR)$(BASHCOMPDIR)/famctl"
	$(INSTALL) -m 0644 completions/_famctl "$(DESTDIR)$(ZSHCOMPDIR)/_famctl"
	$(INSTALL) -m 0644 completions/famctl.fish "$(DESTDIR)$(FISHCOMPDIR)/famctl.fish"

install-strip:
	$(MAKE) install INSTALL_PROGRAM="$(INSTALL) -m 0755 -s --strip-program=strip"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/famctl" "$(DESTDIR)$(SBINDIR)/mkfs.famfs"
	rm -f $(addprefix "$(DESTDIR)$(MANDIR)/man8/,$(addsuffix ",$(notdir $(MAN_PAGES))))
	rm -f "$(DESTDIR)$(MANDIR)/man8/mkfs.famfs.8"
	rm -f "$(DESTDIR)$(BASHCOMPDIR)/famctl" "$(DESTDIR)$(ZSHCOMPDIR)/_famctl" \
		"$(DESTDIR)$(FISHCOMPDIR)/famctl.fish"

docs:
	scripts/gen-docs.sh

# The path of the binary that install uses (for scripts/package-deb.sh).
print-bin:
	@echo "$(FAMCTL)"
