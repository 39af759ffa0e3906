# famctl: build and install like any system tool.
#
#   make                          release build (Swift runtime linked in statically)
#   make install                  install under PREFIX (default /usr/local)
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#   make install FAMCTL=path      install that binary instead of building one
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
# No $ORIGIN rpath (nothing is installed next to the binary) and full RELRO, as Debian wants.
SWIFT_BUILD_FLAGS ?= -c release --static-swift-stdlib --disable-local-rpath \
	-Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
INSTALL ?= install

# The binary to install: the release build unless FAMCTL names one.
ifeq ($(FAMCTL),)
FAMCTL_BIN = $(shell $(SWIFT) build $(SWIFT_BUILD_FLAGS) --show-bin-path)/famctl
INSTALL_DEPS = build
else
FAMCTL_BIN = $(FAMCTL)
INSTALL_DEPS =
endif

MAN_PAGES = $(wildcard man/*.8)

.PHONY: all build install uninstall docs print-bin

all: build

build:
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product famctl

install: $(INSTALL_DEPS)
	test -x "$(FAMCTL_BIN)"
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(MANDIR)/man8" \
		"$(DESTDIR)$(BASHCOMPDIR)" "$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(FISHCOMPDIR)"
	$(INSTALL) -m 0755 "$(FAMCTL_BIN)" "$(DESTDIR)$(BINDIR)/famctl"
	ln -sfr "$(DESTDIR)$(BINDIR)/famctl" "$(DESTDIR)$(SBINDIR)/mkfs.famfs"
	$(INSTALL) -m 0644 $(MAN_PAGES) "$(DESTDIR)$(MANDIR)/man8/"
	ln -sf famctl-famfs-mkfs.8 "$(DESTDIR)$(MANDIR)/man8/mkfs.famfs.8"
	# bash-completion sources the file, so the generated #! line is dropped.
	sed '1{/^#!/d}' completions/famctl.bash >"$(DESTDIR)$(BASHCOMPDIR)/famctl"
	chmod 0644 "$(DESTDIR)$(BASHCOMPDIR)/famctl"
	$(INSTALL) -m 0644 completions/_famctl "$(DESTDIR)$(ZSHCOMPDIR)/_famctl"
	$(INSTALL) -m 0644 completions/famctl.fish "$(DESTDIR)$(FISHCOMPDIR)/famctl.fish"

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
	@echo "$(FAMCTL_BIN)"
