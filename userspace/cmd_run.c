// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl run: boot an image in a new partition and run it to its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi.h"
#include "cli.h"
#include "hvctl.h"
#include "hvfeatures.h"
#include "loader.h"
#include "runopts.h"
#include "vmbus/vmbus.h"
#include "worker.h"

#define RUN_DEFAULT_RAM		(64ull << 20)
#define RUN_MIN_RAM		(1ull << 20)

const char cmd_run_help[] =
"Creates a partition with SIZE bytes of RAM at guest physical address 0\n"
"and N VPs, loads IMAGE and runs VP0 until the guest ends.\n"
"\n"
"Options:\n"
"  -m, --memory SIZE  guest RAM, e.g. 64M or 1G (default 64M, at least 1M,\n"
"                     a multiple of 4K)\n"
"  -p, --vps N        VPs to create, 1 to 64 (default 1), each run by a thread\n"
"                     of its own: VP0 runs, the others wait for INIT-SIPI-SIPI;\n"
"                     more than one needs hvpart's local APIC ('hvctl caps':\n"
"                     local-apic)\n"
"      --initrd FILE[ ARGS][,FILE[ ARGS]...]\n"
"                     for a Linux kernel: its initramfs, one FILE;\n"
"                     for a Multiboot kernel: modules, as QEMU's -initrd:\n"
"                     each FILE is loaded page-aligned after the kernel, its\n"
"                     command line is FILE and its ARGS (\",,\" for a\n"
"                     comma); repeatable\n"
"      --raw          run IMAGE as real-mode code at 0x7c00, whatever it\n"
"                     looks like\n"
"      --disk FILE[,ro]\n"
"                     a disk on VMBus's SCSI controller (Linux's\n"
"                     hv_storvsc): a raw image file or a block device whose\n"
"                     size is a multiple of 512; ',ro' refuses writes;\n"
"                     repeatable (LUN 0, 1, ...; at most 16); needs the\n"
"                     SynIC\n"
"      --net tap=NAME[,mac=XX:XX:XX:XX:XX:XX]\n"
"                     a VMBus network adapter (Linux's hv_netvsc) whose\n"
"                     frames go to and come from tap device NAME, which\n"
"                     hvctl creates if need be (CAP_NET_ADMIN); the\n"
"                     address defaults to 02:68:76 and a hash of NAME\n"
"      --vsock-port PORT=PATH\n"
"                     a guest's AF_VSOCK connect() to the host's port PORT\n"
"                     (hv_sock) reaches the unix stream socket PATH;\n"
"                     repeatable (at most 16); needs the SynIC\n"
"  -v, --verbose      say what is loaded, the Hyper-V feature set and why the\n"
"                     guest stopped (on a signal, each VP's registers)\n"
"  -h, --help         this text\n"
"\n"
"Hyper-V feature set (what the guest finds in CPUID 0x40000003-4):\n"
"  --hv all           everything the loaded hvpart implements: the default,\n"
"                     what a new partition has\n"
"  --hv none          nothing: no synthetic MSRs, no hypercalls\n"
"  --hv GROUPS        exactly these groups (a comma-separated list)\n"
"  --hv-on GROUPS     turn groups on\n"
"  --hv-off GROUPS    turn groups off\n"
"  --hv-spin-retry N  spinlock retries before HvCallNotifyLongSpinWait\n"
"                     (CPUID 0x40000004 EBX; default 0xffffffff, never)\n"
"  These apply left to right (--hv none --hv-on time,tsc-page) and may be\n"
"  repeated.  Groups, and what each gives the guest:\n"
"    hypercall          GUEST_OS_ID and HYPERCALL MSRs: the hypercall page\n"
"    vpindex            VP_INDEX MSR\n"
"    runtime            VP_RUNTIME MSR\n"
"    time               TIME_REF_COUNT MSR: partition reference time\n"
"    tsc-page           REFERENCE_TSC MSR: the reference TSC page (needs time)\n"
"    frequencies        TSC_FREQUENCY and APIC_FREQUENCY MSRs\n"
"    reset              RESET MSR, and the advice to reset through it\n"
"    idle               GUEST_IDLE MSR: a read idles the VP\n"
"    crash              crash MSRs P0-P4 and CRASH_CTL\n"
"    xmm-input          fast hypercall input in XMM registers (needs\n"
"                       hypercall, as do the four below)\n"
"    xmm-output         fast hypercall output in registers\n"
"    msr-lock           the lock bit of the HYPERCALL MSR\n"
"    ext-hypercalls     extended hypercalls (HvExtCallQueryCapabilities)\n"
"    tlb-flush          advice to flush TLBs by hypercall (needs vpindex)\n"
"    ex-processor-masks advice to use the sparse VP set (Ex) hypercalls\n"
"                       (needs vpindex)\n"
"    relaxed-timing     advice to relax timing: no watchdogs\n"
"  and, where hvpart has its local APIC ('hvctl caps': local-apic):\n"
"    synic              the SynIC MSRs: SCONTROL, SIMP, SIEFP, EOM, SINTs\n"
"    stimer             the synthetic timer MSRs (needs synic and time)\n"
"    stimer-direct      direct-mode synthetic timers (needs stimer)\n"
"    messages           HvCallPostMessage and HvCallSignalEvent (needs\n"
"                       hypercall and synic)\n"
"    apic               EOI, ICR and TPR MSRs, the VP assist page with PV\n"
"                       EOI, and the advice to use them\n"
"    ipi                HvCallSendSyntheticClusterIpi and its Ex form, and\n"
"                       the advice to use them (needs hypercall and vpindex)\n"
"    start-vp           HvCallStartVirtualProcessor (needs hypercall and\n"
"                       vpindex)\n"
"  userspace/README.md maps each group to its TLFS bits.\n"
"  A group turned on that the loaded hvpart lacks is an error ('hvctl caps'\n"
"  lists what it has); one turned on without a group it needs, or left on\n"
"  with one turned off, draws a warning.  Outside its set the guest gets\n"
"  #GP for a synthetic MSR and HV_STATUS_ACCESS_DENIED for a hypercall.\n"
"\n"
"Images:\n"
"  A Linux bzImage (boot protocol 2.12 or later, a 64-bit kernel) is booted\n"
"  by the 64-bit boot protocol, without firmware: its kernel at its\n"
"  pref_address (a relocatable one lower if RAM is short), a zero page at\n"
"  0x8000 with the memory map, the command line ARGS (at 0x20000) and the\n"
"  --initrd initramfs (at the top of RAM), entered at its 64-bit entry in\n"
"  long mode, 0-4 GiB identity-mapped, RSI = the zero page, whose\n"
"  acpi_rsdp_addr points at the ACPI tables.\n"
"  A Multiboot v1 kernel (header in its first 8 KiB; ELF32, ELF64 with a\n"
"  32-bit entry, or the a.out kludge) is loaded at its physical addresses\n"
"  and entered in 32-bit flat protected mode, paging and interrupts off,\n"
"  EAX = 0x2BADB002 and EBX = the Multiboot information (memory sizes, a\n"
"  memory map, the command line ARGS joined with spaces, the modules).\n"
"  The boot information follows the kernel and its modules, page-aligned\n"
"  (or the lowest free pages if they end at the top of RAM), so a kernel\n"
"  may load anywhere in RAM but page 0 and 639K-1M.\n"
"  Every image but --raw code finds ACPI tables (RSDP revision 2 at\n"
"  0xe0000, XSDT, FADT, MADT, DSDT) in the reserved area below 1 MiB:\n"
"  a hardware-reduced platform with a local APIC per VP (APIC ID = VP\n"
"  index), the I/O APIC, ISA IRQ 0 on GSI 2 and the others one to one,\n"
"  COM1 in the DSDT, \\_S5 for power-off.  A Multiboot kernel finds the\n"
"  RSDP by its signature, as on a PC.\n"
"  A boot sector (0x55 0xaa at offset 510), or any file with --raw, is\n"
"  loaded at 0x7c00 and entered in real mode at 0000:7c00 with DL = 0x80\n"
"  and SS:SP = 0000:7c00.  There is no BIOS: INT 10h, INT 13h and the like\n"
"  do not exist.\n"
"  Anything else (an ELF without a Multiboot header, a text file, a\n"
"  truncated image) is refused, exit status 2, as is a kernel that cannot\n"
"  be booted (a bad header, an old boot protocol, a 32-bit-only kernel,\n"
"  too big for --memory).\n"
"\n"
"Devices:\n"
"  0x3f8-0x3ff  16550A UART: output to stdout, input from stdin; its\n"
"               interrupt is I/O APIC pin 4 (with hvpart's local APIC)\n"
"  0xf4-0xf7    isa-debug-exit: writing V ends hvctl with (V << 1) | 1\n"
"  0x8900       Bochs/QEMU shutdown port: writing \"Shutdown\" powers off\n"
"  0x600-0x602  ACPI sleep control, sleep status and reset registers (the\n"
"               FADT's): SLP_EN with SLP_TYP 5 (S5) powers off, status 0;\n"
"               writing 1 to the reset register ends hvctl with status 16\n"
"               (the guest asked for a reset: hvctl does not restart it)\n"
"  0x510-0x511  QEMU fw_cfg (no DMA): signature, ID, RAM size, CPU count,\n"
"               an empty file directory\n"
"  0x20, 0xa0   8259 PICs, present but masked: the mask registers read\n"
"               0xff, ICW and OCW writes are ignored\n"
"  0xfec00000   I/O APIC (82093AA, version 0x11, 24 pins): it delivers\n"
"               through hvpart's local APICs\n"
"  Other ports read as all ones and ignore writes.  MMIO is emulated for\n"
"  MOV (88, 89, 8A, 8B, C6, C7) and MOVZX; another instruction on it ends\n"
"  the run with status 10.\n"
"  A HLT with interrupts off halts the VP until an NMI or INIT; the run\n"
"  ends (exit status 0) once every VP is halted.  A read of the GUEST_IDLE\n"
"  MSR idles the VP until any interrupt, even with interrupts off.\n"
"  Without hvpart's local APIC any HLT, or GUEST_IDLE, ends the run,\n"
"  since nothing could wake the VP.  The first VP that powers off, exits,\n"
"  crashes, triple faults or fails ends the run for all.\n"
"\n"
"Guest requests:\n"
"  A crash notification (CRASH_CTL bit 63) prints P0-P4 and, with bit 62,\n"
"  the message of P4 bytes (at most 4096) at guest physical address P3; it\n"
"  ends hvctl with status 14.  A write of 1 to the RESET MSR ends it with\n"
"  status 16: resetting the partition and booting again is future work.\n";

/* Long-only options. */
enum {
	OPT_HV = 0x100,
	OPT_HV_ON,
	OPT_HV_OFF,
	OPT_HV_SPIN_RETRY,
	OPT_INITRD,
	OPT_RAW,
	OPT_DISK,
	OPT_NET,
	OPT_VSOCK_PORT,
};

static const struct option run_options[] = {
	{ "memory", required_argument, NULL, 'm' },
	{ "vps", required_argument, NULL, 'p' },
	{ "hv", required_argument, NULL, OPT_HV },
	{ "hv-on", required_argument, NULL, OPT_HV_ON },
	{ "hv-off", required_argument, NULL, OPT_HV_OFF },
	{ "hv-spin-retry", required_argument, NULL, OPT_HV_SPIN_RETRY },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "vsock-port", required_argument, NULL, OPT_VSOCK_PORT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The long name of option @c, which the configuration file uses. */
static const char *run_option_name(int c)
{
	const struct option *opt;

	for (opt = run_options; opt->name; opt++)
		if (opt->val == c)
			return opt->name;
	return NULL;
}

/* Remembers an option as given, for `hvctl create`. */
static int run_opts_record(struct run_opts *o, int c, const char *arg)
{
	if (o->nr_kv == RUN_OPTS_MAX_KV) {
		hvctl_err("too many options (at most %d)", RUN_OPTS_MAX_KV);
		return HVCTL_EXIT_SETUP;
	}
	o->kv[o->nr_kv].key = run_option_name(c);
	o->kv[o->nr_kv].val = arg;
	o->nr_kv++;
	return 0;
}

/* --hv, --hv-on, --hv-off, --hv-spin-retry; 0 or HVCTL_EXIT_SETUP. */
static int parse_hv_opt(const struct hvctl_cmd *cmd, int opt,
			const char *arg, struct hvf_select *hv)
{
	unsigned long n;
	char err[768];
	int ret;

	switch (opt) {
	case OPT_HV:
		ret = hvf_select_base(hv, arg, err, sizeof(err));
		break;
	case OPT_HV_ON:
		ret = hvf_select_on(hv, arg, err, sizeof(err));
		break;
	case OPT_HV_OFF:
		ret = hvf_select_off(hv, arg, err, sizeof(err));
		break;
	default:
		ret = hvctl_parse_uint(arg, 0xffffffff, &n);
		if (ret) {
			snprintf(err, sizeof(err),
				 "bad --hv-spin-retry '%s': want a number from 0 to 0xffffffff",
				 arg);
			break;
		}
		hv->spin_retry_set = true;
		hv->spin_retry = n;
		break;
	}
	if (!ret)
		return 0;
	hvctl_err("%s", err);
	hvctl_cmd_usage(cmd);
	return HVCTL_EXIT_SETUP;
}

static int read_image(const char *path, uint64_t max, uint8_t **buf,
		      size_t *size)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *b = NULL, *nb;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		hvctl_err("cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		if (!b || len == cap) {
			if (b)
				cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				hvctl_err("%s: out of memory", path);
				goto fail;
			}
			b = nb;
		}
		n = read(fd, b + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			hvctl_err("cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (!n)
			break;
		len += n;
		if (len > max) {
			ret = -EFBIG;
			hvctl_err("%s is larger than guest RAM", path);
			goto fail;
		}
	}
	close(fd);
	*buf = b;
	*size = len;
	return 0;

fail:
	free(b);
	close(fd);
	return ret;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			*p++ = ' ';
		p = stpcpy(p, argv[i]);
	}
	return s;
}

/*
 * Parses `hvctl run`'s options and IMAGE [ARGS...] (also those of
 * `hvctl create`, and a configuration file's, which `hvctl start` turns
 * back into them).  Returns WORKER_CONTINUE, or the status to exit with
 * after printing why; run_opts_free() either way.
 */
int run_opts_parse(const struct hvctl_cmd *cmd, int argc, char **argv,
		   struct run_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->ram_size = RUN_DEFAULT_RAM;
	o->nr_vps = 1;
	hvf_select_init(&o->hv);
	optind = 0;	/* a fresh getopt scan */
	/* '+': options end at IMAGE, so ARGS may look like options. */
	while ((c = getopt_long(argc, argv, "+m:p:vh", run_options,
				NULL)) != -1) {
		if (c != 'h' && c != '?' && c != ':' &&
		    run_opts_record(o, c, optarg))
			return HVCTL_EXIT_SETUP;
		switch (c) {
		case 'm':
			if (hvctl_parse_size(optarg, &o->ram_size) ||
			    o->ram_size < RUN_MIN_RAM ||
			    o->ram_size & 0xfff) {
				hvctl_err("bad --memory '%s': want a multiple of 4K, at least 1M (e.g. 64M, 1G)",
					  optarg);
				return HVCTL_EXIT_SETUP;
			}
			break;
		case 'p':
			if (hvctl_parse_uint(optarg, WORKER_MAX_VPS,
					     &o->nr_vps) || !o->nr_vps) {
				hvctl_err("bad --vps '%s': want a number from 1 to %d",
					  optarg, WORKER_MAX_VPS);
				return HVCTL_EXIT_SETUP;
			}
			break;
		case OPT_HV:
		case OPT_HV_ON:
		case OPT_HV_OFF:
		case OPT_HV_SPIN_RETRY:
			if (parse_hv_opt(cmd, c, optarg, &o->hv))
				return HVCTL_EXIT_SETUP;
			break;
		case OPT_INITRD:
			if (o->nr_initrd == RUN_OPTS_MAX_INITRD) {
				hvctl_err("too many --initrd options (at most %d; each takes a comma-separated list)",
					  RUN_OPTS_MAX_INITRD);
				return HVCTL_EXIT_SETUP;
			}
			o->initrd[o->nr_initrd++] = optarg;
			break;
		case OPT_RAW:
			o->raw = true;
			break;
		case OPT_DISK:
			if (o->nr_disks == RUN_OPTS_MAX_DISKS) {
				hvctl_err("too many --disk options (at most %d)",
					  RUN_OPTS_MAX_DISKS);
				return HVCTL_EXIT_SETUP;
			}
			o->disks[o->nr_disks++] = optarg;
			break;
		case OPT_VSOCK_PORT: {
			uint32_t port;
			const char *path;

			if (o->nr_vsock == RUN_OPTS_MAX_VSOCK) {
				hvctl_err("too many --vsock-port options (at most %d)",
					  RUN_OPTS_MAX_VSOCK);
				return HVCTL_EXIT_SETUP;
			}
			if (vmbus_sock_port_parse(optarg, &port, &path)) {
				hvctl_err("bad --vsock-port '%s': want PORT=PATH, PATH a unix socket's (at most 107 bytes)",
					  optarg);
				return HVCTL_EXIT_SETUP;
			}
			o->vsock[o->nr_vsock++] = optarg;
			break;
		}
		case OPT_NET: {
			char ifname[16], err[256];
			uint8_t mac[6];

			if (o->net) {
				hvctl_err("--net: one network adapter at most");
				return HVCTL_EXIT_SETUP;
			}
			if (vmbus_net_parse(optarg, ifname, mac, err,
					    sizeof(err))) {
				hvctl_err("%s", err);
				return HVCTL_EXIT_SETUP;
			}
			o->net = optarg;
			break;
		}
		case 'v':
			hvctl_verbose = true;
			break;
		case 'h':
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		default:
			hvctl_cmd_usage(cmd);
			return HVCTL_EXIT_SETUP;
		}
	}
	if (optind >= argc) {
		hvctl_err("%s: no IMAGE given", cmd->name);
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	o->image = argv[optind];
	o->nr_args = argc - optind - 1;
	o->args = argv + optind + 1;
	o->cmdline = join_args(o->nr_args, o->args);
	if (!o->cmdline) {
		hvctl_err("out of memory");
		return HVCTL_EXIT_SETUP;
	}
	return WORKER_CONTINUE;
}

void run_opts_free(struct run_opts *o)
{
	free(o->cmdline);
	o->cmdline = NULL;
}

/*
 * Splits one --initrd value into its modules, as QEMU's -initrd: a comma
 * separates them, ",," stands for a comma.  Each of the @nr items (at
 * most @max, malloc()ed) is a module's command line: its file name, then
 * its arguments after a space.  Returns 0, -E2BIG for too many, -EINVAL
 * for an empty one, -ENOMEM.
 */
int run_initrd_split(const char *spec, char **items, unsigned int max,
		     unsigned int *nr)
{
	const char *p = spec;
	size_t len;
	char *item;

	*nr = 0;
	for (;;) {
		if (*nr == max)
			return -E2BIG;
		item = malloc(strlen(p) + 1);
		if (!item)
			return -ENOMEM;
		for (len = 0; *p && !(p[0] == ',' && p[1] != ','); p++) {
			item[len++] = *p;
			if (*p == ',')
				p++;	/* ",," */
		}
		item[len] = '\0';
		items[(*nr)++] = item;
		if (!len || item[0] == ' ')
			return -EINVAL;
		if (!*p)
			return 0;
		p++;
	}
}

/**
 * struct run_modules - the Multiboot modules of --initrd, read in
 * @nr: modules
 * @cmdline: each one's command line (malloc()ed)
 * @data: each one's contents (malloc()ed)
 * @mods: what the loader takes
 */
struct run_modules {
	unsigned int nr;
	char *cmdline[MULTIBOOT_MAX_MODULES];
	uint8_t *data[MULTIBOOT_MAX_MODULES];
	struct boot_module mods[MULTIBOOT_MAX_MODULES];
};

static void run_modules_free(struct run_modules *m)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		free(m->cmdline[i]);
		free(m->data[i]);
	}
	m->nr = 0;
}

/* Reads every --initrd file; 0, or HVCTL_EXIT_SETUP after printing why. */
static int run_modules_read(const struct run_opts *o, struct run_modules *m)
{
	unsigned int i, j, n;
	char *path;
	size_t size;
	int ret;

	for (i = 0; i < o->nr_initrd; i++) {
		ret = run_initrd_split(o->initrd[i], m->cmdline + m->nr,
				       MULTIBOOT_MAX_MODULES - m->nr, &n);
		m->nr += n;
		if (ret) {
			hvctl_err("bad --initrd '%s': %s", o->initrd[i],
				  ret == -E2BIG ? "more than 32 modules" :
				  ret == -EINVAL ? "want FILE [ARGS][,FILE [ARGS]...]" :
				  strerror(-ret));
			return HVCTL_EXIT_SETUP;
		}
	}
	for (j = 0; j < m->nr; j++) {
		path = strndup(m->cmdline[j], strcspn(m->cmdline[j], " "));
		if (!path) {
			hvctl_err("out of memory");
			return HVCTL_EXIT_SETUP;
		}
		ret = read_image(path, o->ram_size, &m->data[j], &size);
		free(path);
		if (ret)
			return HVCTL_EXIT_SETUP;
		m->mods[j].data = m->data[j];
		m->mods[j].size = size;
		m->mods[j].cmdline = m->cmdline[j];
	}
	return 0;
}

/* Loads IMAGE and the modules into guest RAM, and puts VP0 at its entry. */
static int run_load(struct worker *w, const struct run_opts *o,
		    const uint8_t *img, size_t img_size, struct run_modules *m)
{
	struct loader_opts lo = {
		.cmdline = o->cmdline,
		.mods = m->mods,
		.nr_mods = m->nr,
		.raw = o->raw,
	};
	struct acpi_layout acpi;
	struct boot_state bs;
	char err[320];
	unsigned int i;
	int ret;

	/*
	 * The ACPI tables sit where a PC's firmware keeps them, below
	 * 1 MiB, for every image but --raw code: Linux gets the RSDP in
	 * its zero page, a Multiboot kernel finds it by its signature.
	 */
	if (!o->raw) {
		ret = acpi_build(w->ram, w->ram_size, w->nr_vps, w->vmbus,
				 &acpi, err, sizeof(err));
		if (ret) {
			hvctl_err("%s", err);
			return HVCTL_EXIT_SETUP;
		}
		lo.acpi_rsdp = acpi.rsdp;
		hvctl_info("ACPI tables at [0x%llx, 0x%llx): RSDP 0x%llx, XSDT 0x%llx, FADT 0x%llx, MADT 0x%llx, DSDT 0x%llx",
			   (unsigned long long)acpi.rsdp,
			   (unsigned long long)acpi.end,
			   (unsigned long long)acpi.rsdp,
			   (unsigned long long)acpi.xsdt,
			   (unsigned long long)acpi.fadt,
			   (unsigned long long)acpi.madt,
			   (unsigned long long)acpi.dsdt);
	}

	ret = loader_boot(w->ram, w->ram_size, img, img_size, &lo, &bs, err,
			  sizeof(err));
	if (ret) {
		hvctl_err("%s: %s", o->image, err);
		return HVCTL_EXIT_SETUP;
	}
	if (bs.warning[0])
		hvctl_warn("%s: %s", o->image, bs.warning);
	hvctl_info("%s: %s", o->image, bs.desc);
	if (bs.kind == BOOT_LINUX64)
		hvctl_info("command line \"%s\", zero page at 0x%llx, page tables at 0x%llx",
			   o->cmdline, (unsigned long long)bs.zero_page,
			   (unsigned long long)bs.cr3);
	if (bs.kind == BOOT_MULTIBOOT)
		hvctl_info("command line \"%s\", boot information at 0x%x (pages [0x%llx, 0x%llx))",
			   o->cmdline, bs.mbi_addr,
			   (unsigned long long)bs.info_start,
			   (unsigned long long)bs.info_end);
	for (i = 0; i < m->nr; i++)
		hvctl_info("module %u \"%s\" at [0x%x, 0x%x)", i,
			   m->mods[i].cmdline, m->mods[i].start,
			   m->mods[i].end);

	if (worker_boot_vp(w, 0, &bs))
		return HVCTL_EXIT_SETUP;
	return 0;
}

/*
 * Reads IMAGE, builds the partition @o describes with its UART on @in_fd
 * and @out_fd, loads IMAGE and puts VP0 at its entry: everything but
 * running it.  Returns 0, or HVCTL_EXIT_SETUP after printing why; call
 * worker_destroy() either way.  `hvctl run` and the worker that
 * `hvctl start` detaches share it.
 */
int run_setup(struct worker *w, const struct run_opts *o, int in_fd,
	      int out_fd)
{
	struct run_modules m = { .nr = 0 };
	struct worker_config cfg;
	uint8_t *img = NULL;
	size_t img_size = 0;
	int ret;

	ret = HVCTL_EXIT_SETUP;
	if (read_image(o->image, o->ram_size, &img, &img_size) ||
	    run_modules_read(o, &m))
		goto free_img;

	cfg.ram_size = o->ram_size;
	cfg.nr_vps = o->nr_vps;
	cfg.hv = &o->hv;
	cfg.in_fd = in_fd;
	cfg.out_fd = out_fd;
	cfg.disks = o->disks;
	cfg.nr_disks = o->nr_disks;
	cfg.vsock = o->vsock;
	cfg.nr_vsock = o->nr_vsock;
	cfg.net = o->net;
	if (worker_setup(w, &cfg))
		goto free_img;
	hvctl_info("partition: %s, %llu MiB of RAM, %u VP%s, %s",
		   hvp_vendor_name(w->vendor),
		   (unsigned long long)(o->ram_size >> 20), w->nr_vps,
		   w->nr_vps > 1 ? "s (VP1 and up wait for INIT-SIPI-SIPI)" : "",
		   w->has_lapic ? "local APICs in hvpart" :
		   "no local APIC: no interrupts");
	ret = run_load(w, o, img, img_size, &m);
free_img:
	run_modules_free(&m);
	free(img);
	return ret;
}

int cmd_run(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	struct run_opts o;
	struct worker w;
	unsigned int i;
	int ret;

	ret = run_opts_parse(cmd, argc, argv, &o);
	if (ret != WORKER_CONTINUE)
		goto free_opts;

	/* A guest whose reader went away must not kill hvctl silently. */
	signal(SIGPIPE, SIG_IGN);

	worker_init(&w);
	ret = run_setup(&w, &o, STDIN_FILENO, STDOUT_FILENO);
	if (!ret) {
		worker_catch_signals(&w);
		ret = worker_run(&w);
		for (i = 0; i < w.nr_vps; i++)
			hvctl_info("VP%u: %llu exits", i, (unsigned long long)
				   w.vps[i].vp.run->exits);
	}
	worker_destroy(&w);
free_opts:
	run_opts_free(&o);
	return ret;
}
