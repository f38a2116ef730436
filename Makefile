# SPDX-License-Identifier: GPL-2.0
# hvpart top-level Makefile.
#   make [KDIR=...]     build hvpart.ko in the tree against KDIR
#   make check          the whole test suite (scripts/check; what CI runs)
#   make userspace      hvctl and libhvpart (userspace/)
#   make selftests      kselftests into build/selftests
#   make vmrun [KERNEL=6.1|6.12|6.12-debug] [CMD='...']   run CMD in an emulated machine
#   make bench [VMX=1]  hvpart vs KVM, SVM under QEMU (VMX=1: VMX in Bochs)
#   make install        the module, hvctl, the UAPI headers, the udev rule,
#                       the sysusers file and hvctl(1); DESTDIR, PREFIX
#                       (/usr/local), KDIR as for make
#   make demo, make clean
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
UDEVRULESDIR ?= /etc/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
HVPART_CACHE ?= $(HOME)/.cache/hvpart
-include $(HVPART_CACHE)/env.mk
KERNEL ?= 6.1
CMD ?= run-suites

all modules:
	@test -f $(KDIR)/Makefile || { echo "no kernel build tree at" \
		"KDIR=$(KDIR): pass KDIR=..., or run make check" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
	rm -rf build

userspace:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace all test-guests; \
	else echo "userspace: no userspace/Makefile yet, skipped"; fi

selftests:
	@if [ ! -f selftests/Makefile ]; then \
		echo "selftests: no selftests/Makefile yet, skipped"; \
	elif [ -z "$(KSFT_DIR)" ]; then \
		echo "selftests: KSFT_DIR unset: run scripts/setup" >&2; exit 1; \
	else mkdir -p $(CURDIR)/build/selftests && \
		$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) \
			OUTPUT=$(CURDIR)/build/selftests; fi

check:
	$(TOP)/scripts/check

vmrun:
	$(TOP)/scripts/vmrun --kernel $(KERNEL) -- $(CMD)

# The module goes to /lib/modules/<its kernel>/extra (depmod runs unless
# DESTDIR is set); then 'groupadd --system hvpart' (or systemd-sysusers)
# and 'udevadm trigger -s misc' or a reload of the module.
install: all userspace
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR) DEPMOD=true) \
		modules_install
	install -D -m 0755 userspace/hvctl $(DESTDIR)$(PREFIX)/bin/hvctl
	install -D -m 0644 uapi/linux/hvpart.h \
		$(DESTDIR)$(PREFIX)/include/linux/hvpart.h
	install -D -m 0644 uapi/linux/hvpart_genl.h \
		$(DESTDIR)$(PREFIX)/include/linux/hvpart_genl.h
	install -D -m 0644 dist/60-hvpart.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-hvpart.rules
	install -D -m 0644 dist/hvpart.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/hvpart.conf
	install -D -m 0644 docs/hvctl.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/hvctl.1

bench:
	$(TOP)/scripts/bench $(if $(filter 1,$(VMX)),--vmx)

demo:
	$(TOP)/scripts/demo

.PHONY: all modules clean userspace selftests check vmrun bench demo install
