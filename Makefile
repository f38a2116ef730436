# SPDX-License-Identifier: GPL-2.0
# hvpart top-level Makefile.
#   make [KDIR=...]     build hvpart.ko in the tree against KDIR
#   make check          the whole test suite (scripts/check; what CI runs)
#   make userspace      hvctl and libhvpart (userspace/)
#   make selftests      kselftests into build/selftests
#   make vmrun [KERNEL=6.1|6.12|6.12-debug] [CMD='...']   run CMD in an emulated machine
#   make bench [VMX=1]  hvpart vs KVM, SVM under QEMU (VMX=1: VMX in Bochs)
#   make demo, make clean
KDIR ?= /lib/modules/$(shell uname -r)/build
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

bench:
	$(TOP)/scripts/bench $(if $(filter 1,$(VMX)),--vmx)

demo:
	$(TOP)/scripts/demo

.PHONY: all modules clean userspace selftests check vmrun bench demo
