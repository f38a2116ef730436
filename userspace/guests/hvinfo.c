// SPDX-License-Identifier: GPL-2.0
/*
 * hvinfo.elf: the Hyper-V TLFS interface of a child partition, as its
 * guest sees it.  A 64-bit Multiboot kernel (hvinfo_head.S gets it to long
 * mode) that detects the hypervisor, prints its CPUID leaves decoded, and
 * then uses what they say it was granted, and nothing else: the guest OS
 * ID and the hypercall page, a few hypercalls through it, the VP index,
 * reference time and the reference TSC page, the frequency MSRs.  An MSR
 * that CPUID grants but the hypervisor refuses (#GP) is reported, not
 * fatal.
 *
 * With "crash", "reset" or "idle" among its arguments it ends with that
 * request to the root (hvctl), if it was granted:
 *   hvctl run hvinfo.elf crash      crash MSRs and a message: status 14
 *   hvctl run hvinfo.elf reset      the RESET MSR: status 16
 *   hvctl run hvinfo.elf idle       a read of GUEST_IDLE with interrupts
 *                                   off, which the APIC timer ends
 * Try it with --hv none, or --hv-off GROUP, to see its view change.
 */
#include <stdint.h>

#include "../tlfs.h"
#include "guest.h"
#include "hvinfo.h"

/* Open source (bit 63), OS type 0, version 1 (bits 47:16), build 0. */
#define HVINFO_GUEST_OS_ID	0x8000000000010000ULL

/* A code no TLFS hypercall has. */
#define HVCALL_NONE		0x7fff

#define PAGE_SIZE		4096

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* The x2APIC, for the timer that ends GUEST_IDLE */
#define CPUID1_ECX_X2APIC	(1u << 21)
#define MSR_IA32_APIC_BASE	0x1b
#define APIC_BASE_X2APIC	(1u << 10)
#define APIC_BASE_ENABLE	(1u << 11)
#define X2APIC_SVR		0x80f
#define X2APIC_IRR0		0x820
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_TIMER_ICR	0x838
#define X2APIC_TIMER_DCR	0x83e
#define LVT_MASKED		(1u << 16)
#define IDLE_VECTOR		0xe0

/* HV_REFERENCE_TSC_PAGE */
struct hv_reference_tsc_page {
	uint32_t tsc_sequence;
	uint32_t reserved1;
	uint64_t tsc_scale;
	int64_t tsc_offset;
};

/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE */
struct hv_tlb_flush {
	uint64_t address_space;
	uint64_t flags;
	uint64_t processor_mask;
};

/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE_EX with an HV_VP_SET of no banks */
struct hv_tlb_flush_ex {
	uint64_t address_space;
	uint64_t flags;
	uint64_t format;
	uint64_t valid_bank_mask;
};

/*
 * Pages whose guest physical address the hypervisor is told: the
 * hypercall page and the reference TSC page get covered by its own
 * (read-only) pages, so nothing else may share them; the parameter pages
 * are plain RAM.  The first 1 GiB is identity-mapped: an address here is
 * its GPA.
 */
static uint8_t hypercall_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile union {
	struct hv_reference_tsc_page p;
	uint8_t page[PAGE_SIZE];
} tsc_ref __attribute__((aligned(PAGE_SIZE)));
static uint8_t hcall_in[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t hcall_out[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t hypercall_addr;

/* What CPUID 0x40000000-0x40000004 said. */
static struct {
	uint32_t max_leaf;
	uint64_t privileges;
	uint32_t features;
	uint32_t recommendations;
	uint32_t spin_retry;
} hv;

/* ---- names ---------------------------------------------------------- */

struct bit_name {
	uint8_t bit;
	const char *name;
};

/* HV_PARTITION_PRIVILEGE_MASK */
static const struct bit_name privilege_names[] = {
	{ 0, "AccessVpRunTimeReg" }, { 1, "AccessPartitionReferenceCounter" },
	{ 2, "AccessSynicRegs" }, { 3, "AccessSyntheticTimerRegs" },
	{ 4, "AccessIntrCtrlRegs" }, { 5, "AccessHypercallMsrs" },
	{ 6, "AccessVpIndex" }, { 7, "AccessResetReg" },
	{ 8, "AccessStatsReg" }, { 9, "AccessPartitionReferenceTsc" },
	{ 10, "AccessGuestIdleReg" }, { 11, "AccessFrequencyRegs" },
	{ 12, "AccessDebugRegs" }, { 13, "AccessReenlightenmentControls" },
	{ 32, "CreatePartitions" }, { 33, "AccessPartitionId" },
	{ 34, "AccessMemoryPool" }, { 36, "PostMessages" },
	{ 37, "SignalEvents" }, { 38, "CreatePort" }, { 39, "ConnectPort" },
	{ 40, "AccessStats" }, { 43, "Debugging" }, { 44, "CpuManagement" },
	{ 48, "AccessVSM" }, { 49, "AccessVpRegisters" },
	{ 52, "EnableExtendedHypercalls" }, { 53, "StartVirtualProcessor" },
};

/* CPUID 0x40000003 EDX */
static const struct bit_name feature_names[] = {
	{ 0, "Mwait" }, { 1, "GuestDebugging" }, { 2, "PerformanceMonitor" },
	{ 3, "CpuDynamicPartitioning" }, { 4, "XmmHypercallInput" },
	{ 5, "GuestIdleState" }, { 6, "HypervisorSleepState" },
	{ 7, "NumaDistanceQuery" }, { 8, "TimerFrequencies" },
	{ 9, "SyntheticMachineCheck" }, { 10, "GuestCrashMsrs" },
	{ 11, "DebugMsrs" }, { 12, "Npiep" }, { 13, "DisableHypervisor" },
	{ 14, "ExtendedGvaRangesForFlush" }, { 15, "XmmHypercallOutput" },
	{ 17, "SintPollingMode" }, { 18, "HypercallMsrLock" },
	{ 19, "DirectSyntheticTimers" },
};

/* CPUID 0x40000004 EAX */
static const struct bit_name recommendation_names[] = {
	{ 0, "UseHypercallForAddressSpaceSwitch" },
	{ 1, "UseHypercallForLocalFlush" },
	{ 2, "UseHypercallForRemoteFlush" }, { 3, "UseApicMsrs" },
	{ 4, "UseMsrForReset" }, { 5, "UseRelaxedTiming" },
	{ 6, "UseDmaRemapping" }, { 7, "UseInterruptRemapping" },
	{ 8, "UseX2ApicMsrs" }, { 9, "DeprecateAutoEoi" },
	{ 10, "UseSyntheticClusterIpi" }, { 11, "UseExProcessorMasks" },
	{ 12, "Nested" }, { 13, "UseIntForMbecSystemCalls" },
	{ 14, "UseVmcsEnlightenments" }, { 15, "UseSyncedTimeline" },
	{ 17, "UseDirectLocalFlushEntire" },
	{ 18, "NoNonArchitecturalCoreSharing" },
};

/* CPUID 0x40000006 EAX */
static const struct bit_name hardware_names[] = {
	{ 0, "ApicOverlayAssist" }, { 1, "MsrBitmaps" },
	{ 2, "ArchitecturalPerformanceCounters" },
	{ 3, "SecondLevelAddressTranslation" }, { 4, "DmaRemapping" },
	{ 5, "InterruptRemapping" }, { 6, "MemoryPatrolScrubber" },
	{ 7, "DmaProtection" }, { 8, "HpetRequested" },
	{ 9, "SyntheticTimersVolatile" },
};

static const char *hv_status_name(uint16_t status)
{
	switch (status) {
	case HV_STATUS_SUCCESS:
		return "HV_STATUS_SUCCESS";
	case HV_STATUS_INVALID_HYPERCALL_CODE:
		return "HV_STATUS_INVALID_HYPERCALL_CODE";
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
		return "HV_STATUS_INVALID_HYPERCALL_INPUT";
	case HV_STATUS_INVALID_ALIGNMENT:
		return "HV_STATUS_INVALID_ALIGNMENT";
	case HV_STATUS_INVALID_PARAMETER:
		return "HV_STATUS_INVALID_PARAMETER";
	case HV_STATUS_ACCESS_DENIED:
		return "HV_STATUS_ACCESS_DENIED";
	case HV_STATUS_OPERATION_DENIED:
		return "HV_STATUS_OPERATION_DENIED";
	case HV_STATUS_INSUFFICIENT_MEMORY:
		return "HV_STATUS_INSUFFICIENT_MEMORY";
	case HV_STATUS_INVALID_VP_INDEX:
		return "HV_STATUS_INVALID_VP_INDEX";
	default:
		return "HV_STATUS_?";
	}
}

/* ---- output --------------------------------------------------------- */

static unsigned int slen(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

static void guest_info(const char *s)
{
	puts("hvinfo: ");
	puts(s);
	puts("\n");
}

/* "hvinfo: WHAT 0x...:", then the names of its bits, wrapped. */
static void print_bits(const char *what, uint64_t v, int digits,
		       const struct bit_name *names, unsigned int nr_names)
{
	unsigned int b, i, col = 0, len;
	const char *name;

	puts("hvinfo: ");
	puts(what);
	puts(" ");
	puthex(v, digits);
	if (!v) {
		puts(": none\n");
		return;
	}
	puts(":\n");
	for (b = 0; b < 64; b++) {
		if (!((v >> b) & 1))
			continue;
		name = 0;
		for (i = 0; i < nr_names; i++)
			if (names[i].bit == b)
				name = names[i].name;
		len = name ? slen(name) : 5;
		if (col && col + 1 + len > 64) {
			puts("\n");
			col = 0;
		}
		puts(col ? " " : "hvinfo:   ");
		col += len + 1;
		if (name) {
			puts(name);
		} else {
			puts("bit");
			putdec(b);
		}
	}
	puts("\n");
}

static void print_signature(uint32_t a, uint32_t b, uint32_t c)
{
	char s[13];
	int i;

	for (i = 0; i < 4; i++) {
		s[i] = a >> (i * 8);
		s[i + 4] = b >> (i * 8);
		s[i + 8] = c >> (i * 8);
	}
	s[12] = '\0';
	puts("\"");
	puts(s);
	puts("\"");
}

/* ---- MSRs, surviving #GP -------------------------------------------- */

/*
 * A #GP handler, so that an MSR that CPUID grants but the hypervisor
 * refuses shows as a line of output rather than as a triple fault.
 */
struct idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t rsvd;
};

#define X86_TRAP_GP		13
#define CODE64_SELECTOR		0x18
#define GATE_INTERRUPT		0x8e	/* present, DPL 0, 64-bit gate */

static struct idt_gate idt[32] __attribute__((aligned(16)));
static volatile int msr_faulted;

static void setup_idt(void)
{
	uint64_t entry = (uintptr_t)hvinfo_gp_entry;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uintptr_t)idt };

	idt[X86_TRAP_GP].offset0 = entry & 0xffff;
	idt[X86_TRAP_GP].selector = CODE64_SELECTOR;
	idt[X86_TRAP_GP].type = GATE_INTERRUPT;
	idt[X86_TRAP_GP].offset1 = (entry >> 16) & 0xffff;
	idt[X86_TRAP_GP].offset2 = entry >> 32;
	asm volatile("lidt %0" : : "m"(desc));
}

/* A faulting RDMSR (which reads 0) or WRMSR is skipped; others halt. */
void hvinfo_gp(struct gp_frame *f)
{
	const uint8_t *insn = (const uint8_t *)(uintptr_t)f->rip;

	if (insn[0] == 0x0f && (insn[1] == 0x30 || insn[1] == 0x32)) {
		if (insn[1] == 0x32) {
			f->rax = 0;
			f->rdx = 0;
		}
		f->rip += 2;
		msr_faulted = 1;
		return;
	}
	puts("hvinfo: #GP at ");
	puthex(f->rip, 16);
	puts(", error code ");
	puthex(f->error_code, 4);
	puts(": halting\n");
	for (;;)
		asm volatile("cli; hlt");
}

static void msr_refused(const char *op, uint32_t msr, const char *name)
{
	puts("hvinfo: ");
	puts(op);
	puts(" ");
	puthex(msr, 8);
	puts(" (");
	puts(name);
	puts(") raised #GP, though CPUID grants it\n");
}

/* RDMSR of an MSR that CPUID grants: 0, or -1 after saying it faulted. */
static int msr_read(uint32_t msr, const char *name, uint64_t *v)
{
	msr_faulted = 0;
	*v = rdmsr(msr);
	if (!msr_faulted)
		return 0;
	msr_refused("RDMSR", msr, name);
	return -1;
}

static int msr_write(uint32_t msr, const char *name, uint64_t v)
{
	msr_faulted = 0;
	wrmsr(msr, v);
	if (!msr_faulted)
		return 0;
	msr_refused("WRMSR", msr, name);
	return -1;
}

/* ---- CPUID ---------------------------------------------------------- */

/* CPUID.1:ECX[31], 0x40000000 and 0x40000001: an Hv#1 hypervisor? */
static int detect(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[2] & HYPERV_HYPERVISOR_PRESENT_BIT)) {
		guest_info("CPUID.1:ECX[31] is clear: no hypervisor");
		return 0;
	}
	guest_info("CPUID.1:ECX[31] is set: a hypervisor is present");

	cpuid(HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS, r);
	hv.max_leaf = r[0];
	puts("hvinfo: 0x40000000: vendor ");
	print_signature(r[1], r[2], r[3]);
	puts(", max leaf ");
	puthex(r[0], 8);
	puts("\n");

	cpuid(HYPERV_CPUID_INTERFACE, r);
	puts("hvinfo: 0x40000001: interface ");
	print_signature(r[0], 0, 0);
	if (r[0] != HYPERV_CPUID_SIGNATURE_EAX) {
		puts(": not Hv#1, so not the Microsoft interface\n");
		return 0;
	}
	puts(" (Microsoft hypervisor interface)\n");
	if (hv.max_leaf < HYPERV_CPUID_IMPLEMENT_LIMITS) {
		guest_info("but an Hv#1 hypervisor has leaves up to 0x40000005 at least: stopping");
		return 0;
	}
	return 1;
}

static void print_leaves(void)
{
	uint32_t r[4];

	cpuid(HYPERV_CPUID_VERSION, r);
	puts("hvinfo: 0x40000002: version ");
	putdec(r[1] >> 16);
	puts(".");
	putdec(r[1] & 0xffff);
	puts(", build ");
	putdec(r[0]);
	puts("\n");

	cpuid(HYPERV_CPUID_FEATURES, r);
	hv.privileges = ((uint64_t)r[1] << 32) | r[0];
	hv.features = r[3];
	print_bits("0x40000003: privileges", hv.privileges, 16,
		   privilege_names, ARRAY_SIZE(privilege_names));
	print_bits("0x40000003: features", hv.features, 8,
		   feature_names, ARRAY_SIZE(feature_names));

	cpuid(HYPERV_CPUID_ENLIGHTMENT_INFO, r);
	hv.recommendations = r[0];
	hv.spin_retry = r[1];
	print_bits("0x40000004: recommendations", hv.recommendations, 8,
		   recommendation_names, ARRAY_SIZE(recommendation_names));
	puts("hvinfo: 0x40000004: spin retry count ");
	if (hv.spin_retry == 0xffffffff) {
		puts("0xffffffff (never notify)\n");
	} else {
		putdec(hv.spin_retry);
		puts("\n");
	}

	cpuid(HYPERV_CPUID_IMPLEMENT_LIMITS, r);
	puts("hvinfo: 0x40000005: at most ");
	putdec(r[0]);
	puts(" VPs, ");
	putdec(r[1]);
	puts(" logical processors\n");

	if (hv.max_leaf < HYPERV_CPUID_HARDWARE_FEATURES)
		return;
	cpuid(HYPERV_CPUID_HARDWARE_FEATURES, r);
	print_bits("0x40000006: hardware features", r[0], 8,
		   hardware_names, ARRAY_SIZE(hardware_names));
}

static int granted(uint64_t privilege)
{
	return (hv.privileges & privilege) == privilege;
}

static int crash_granted(void)
{
	return hv.features & HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE;
}

static int idle_granted(void)
{
	return granted(HV_MSR_GUEST_IDLE_AVAILABLE) &&
	       (hv.features & HV_X64_GUEST_IDLE_STATE_AVAILABLE);
}

/* ---- hypercalls ----------------------------------------------------- */

/*
 * One hypercall through the page, the x64 way: RCX is the input value;
 * RDX and R8 hold the input and output GPAs, or the parameters of a fast
 * call, whose output comes back in them.  Returns RAX, the result value.
 */
static uint64_t hypercall(uint64_t control, uint64_t *rdx, uint64_t *r8)
{
	register uint64_t r8_reg asm("r8") = *r8;
	uint64_t rdx_reg = *rdx, rax;

	asm volatile("call *%[page]"
		     : "=a"(rax), "+c"(control), "+d"(rdx_reg), "+r"(r8_reg)
		     : [page] "m"(hypercall_addr)
		     : "cc", "memory", "r9", "r10", "r11");
	*rdx = rdx_reg;
	*r8 = r8_reg;
	return rax;
}

/* "hvinfo: WHAT: HV_STATUS_... (0x....)", no newline; the status. */
static uint16_t print_status(const char *what, uint64_t result)
{
	uint16_t status = result & 0xffff;

	puts("hvinfo: ");
	puts(what);
	puts(": ");
	puts(hv_status_name(status));
	puts(" (");
	puthex(status, 4);
	puts(")");
	return status;
}

static void query_ext_capabilities(void)
{
	uint64_t rdx = 0, r8 = (uintptr_t)hcall_out, result;

	if (!granted(HV_ENABLE_EXTENDED_HYPERCALLS)) {
		guest_info("EnableExtendedHypercalls not granted: no extended hypercalls");
		return;
	}
	/* memory output: the capabilities land at the output GPA */
	result = hypercall(HVCALL_EXT_CALL_QUERY_CAPABILITIES, &rdx, &r8);
	if (print_status("HvExtCallQueryCapabilities", result) ==
	    HV_STATUS_SUCCESS) {
		puts(", capabilities ");
		puthex(*(volatile uint64_t *)hcall_out, 16);
	}
	puts("\n");

	if (!(hv.features & HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE)) {
		guest_info("XmmHypercallOutput not granted: no fast calls with output");
		return;
	}
	/* fast: no input, the output comes back in RDX */
	rdx = 0;
	r8 = 0;
	result = hypercall(HVCALL_EXT_CALL_QUERY_CAPABILITIES |
			   HV_HYPERCALL_FAST_BIT, &rdx, &r8);
	if (print_status("HvExtCallQueryCapabilities (fast, output in RDX)",
			 result) == HV_STATUS_SUCCESS) {
		puts(", capabilities ");
		puthex(rdx, 16);
	}
	puts("\n");
}

/* The flush calls, as the recommendations advise. */
static void flush_tlbs(void)
{
	struct hv_tlb_flush *in = (struct hv_tlb_flush *)hcall_in;
	struct hv_tlb_flush_ex *ex = (struct hv_tlb_flush_ex *)hcall_in;
	uint64_t rdx = (uintptr_t)hcall_in, r8 = 0, result;

	if (!(hv.recommendations & HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED))
		return;
	in->address_space = 0;
	in->flags = HV_FLUSH_ALL_PROCESSORS |
		    HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	in->processor_mask = 0;
	result = hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, &rdx, &r8);
	print_status("HvCallFlushVirtualAddressSpace (all VPs, all spaces)",
		     result);
	puts("\n");

	if (!(hv.recommendations & HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED))
		return;
	ex->address_space = 0;
	ex->flags = HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES;
	ex->format = HV_GENERIC_SET_ALL;
	ex->valid_bank_mask = 0;
	rdx = (uintptr_t)hcall_in;
	r8 = 0;
	result = hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, &rdx, &r8);
	print_status("HvCallFlushVirtualAddressSpaceEx (VP set: all)", result);
	puts("\n");
}

static void hypercalls(void)
{
	uint64_t rdx = 0, r8 = 0, result;

	result = hypercall(HVCALL_NONE, &rdx, &r8);
	print_status("hypercall 0x7fff (no such call)", result);
	puts("\n");

	query_ext_capabilities();

	/* fast: the number of spins so far in RDX */
	rdx = 1;
	r8 = 0;
	result = hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT,
			   &rdx, &r8);
	print_status("HvCallNotifyLongSpinWait (fast)", result);
	puts("\n");

	flush_tlbs();
}

/* GUEST_OS_ID first, then the hypercall page, then calls through it. */
static void hypercall_interface(void)
{
	uint64_t v;

	if (!granted(HV_MSR_HYPERCALL_AVAILABLE)) {
		guest_info("AccessHypercallMsrs not granted: no GUEST_OS_ID, no hypercall page, no hypercalls");
		return;
	}
	if (msr_write(HV_X64_MSR_GUEST_OS_ID, "GUEST_OS_ID",
		      HVINFO_GUEST_OS_ID) ||
	    msr_read(HV_X64_MSR_GUEST_OS_ID, "GUEST_OS_ID", &v))
		return;
	puts("hvinfo: GUEST_OS_ID = ");
	puthex(v, 16);
	puts(" (open source, version 1)\n");

	hypercall_addr = (uintptr_t)hypercall_page;
	if (msr_write(HV_X64_MSR_HYPERCALL, "HYPERCALL",
		      hypercall_addr | HV_X64_MSR_HYPERCALL_ENABLE) ||
	    msr_read(HV_X64_MSR_HYPERCALL, "HYPERCALL", &v))
		return;
	puts("hvinfo: HYPERCALL = ");
	puthex(v, 16);
	if (!(v & HV_X64_MSR_HYPERCALL_ENABLE)) {
		puts(": the hypercall page did not enable\n");
		return;
	}
	puts(": hypercall page at ");
	puthex(hypercall_addr, 8);
	puts(", starting ");
	puthex(*(volatile uint32_t *)hypercall_page, 8);
	puts("\n");
	hypercalls();
}

/* ---- the other synthetic MSRs --------------------------------------- */

static void vp_registers(void)
{
	uint64_t v, apic;

	if (!granted(HV_MSR_VP_INDEX_AVAILABLE)) {
		guest_info("AccessVpIndex not granted: no VP_INDEX");
	} else if (!msr_read(HV_X64_MSR_VP_INDEX, "VP_INDEX", &v)) {
		puts("hvinfo: VP_INDEX = ");
		putdec(v);
		puts("\n");
	}
	if (granted(HV_MSR_VP_RUNTIME_AVAILABLE) &&
	    !msr_read(HV_X64_MSR_VP_RUNTIME, "VP_RUNTIME", &v)) {
		puts("hvinfo: VP_RUNTIME = ");
		putdec(v);
		puts(" (100 ns units this VP has run)\n");
	}
	if (granted(HV_ACCESS_FREQUENCY_MSRS) &&
	    (hv.features & HV_FEATURE_FREQUENCY_MSRS_AVAILABLE) &&
	    !msr_read(HV_X64_MSR_TSC_FREQUENCY, "TSC_FREQUENCY", &v) &&
	    !msr_read(HV_X64_MSR_APIC_FREQUENCY, "APIC_FREQUENCY", &apic)) {
		puts("hvinfo: TSC_FREQUENCY = ");
		putdec(v);
		puts(" Hz, APIC_FREQUENCY = ");
		putdec(apic);
		puts(" Hz\n");
	}
}

static void reference_counter(void)
{
	uint64_t t0, t1;

	if (!granted(HV_MSR_TIME_REF_COUNT_AVAILABLE)) {
		guest_info("AccessPartitionReferenceCounter not granted: no TIME_REF_COUNT");
		return;
	}
	if (msr_read(HV_X64_MSR_TIME_REF_COUNT, "TIME_REF_COUNT", &t0))
		return;
	puts("hvinfo: TIME_REF_COUNT = ");
	putdec(t0);
	puts(" (100 ns units since the partition was created)\n");
	if (msr_read(HV_X64_MSR_TIME_REF_COUNT, "TIME_REF_COUNT", &t1))
		return;
	puts("hvinfo: TIME_REF_COUNT = ");
	putdec(t1);
	if (t1 > t0) {
		puts(": advanced by ");
		putdec(t1 - t0);
		puts(" (");
		putdec((t1 - t0) / 10);
		puts(" us)\n");
	} else {
		puts(": did not advance!\n");
	}
}

/* Reads the page as the TLFS says: a consistent sequence, then the time. */
static void reference_tsc_time(void)
{
	uint64_t scale, tsc, t, now;
	int64_t offset;
	uint32_t seq;

	do {
		seq = tsc_ref.p.tsc_sequence;
		asm volatile("" : : : "memory");
		scale = tsc_ref.p.tsc_scale;
		offset = tsc_ref.p.tsc_offset;
		tsc = rdtsc();
		asm volatile("" : : : "memory");
	} while (tsc_ref.p.tsc_sequence != seq);
	t = (uint64_t)(((__uint128_t)tsc * scale) >> 64) + offset;

	puts("hvinfo: TSC page valid (sequence ");
	putdec(seq);
	puts("): scale ");
	puthex(scale, 16);
	puts(", reference time ");
	putdec(t);
	if (granted(HV_MSR_TIME_REF_COUNT_AVAILABLE) &&
	    !msr_read(HV_X64_MSR_TIME_REF_COUNT, "TIME_REF_COUNT", &now)) {
		puts(", TIME_REF_COUNT ");
		putdec(now);
	}
	puts("\n");
}

static void reference_tsc_page(void)
{
	uint64_t v;

	if (!granted(HV_MSR_REFERENCE_TSC_AVAILABLE)) {
		guest_info("AccessPartitionReferenceTsc not granted: no reference TSC page");
		return;
	}
	if (msr_write(HV_X64_MSR_REFERENCE_TSC, "REFERENCE_TSC",
		      (uintptr_t)&tsc_ref | HV_X64_MSR_TSC_REFERENCE_ENABLE) ||
	    msr_read(HV_X64_MSR_REFERENCE_TSC, "REFERENCE_TSC", &v))
		return;
	puts("hvinfo: REFERENCE_TSC = ");
	puthex(v, 16);
	puts(": reference TSC page at ");
	puthex((uintptr_t)&tsc_ref, 8);
	puts("\n");
	if (!tsc_ref.p.tsc_sequence)
		guest_info("TSC page invalid (sequence 0): the hypervisor says use TIME_REF_COUNT");
	else
		reference_tsc_time();
}

static void other_msrs(void)
{
	uint64_t v;

	if (crash_granted() &&
	    !msr_read(HV_X64_MSR_CRASH_CTL, "CRASH_CTL", &v)) {
		puts("hvinfo: CRASH_CTL = ");
		puthex(v, 16);
		puts(": the crash notifications the hypervisor takes\n");
	}
	if (granted(HV_MSR_RESET_AVAILABLE))
		guest_info("RESET MSR available: writing 1 resets the partition");
	if (idle_granted())
		guest_info("GUEST_IDLE MSR available: reading it idles the VP");
}

/* ---- requests to the root ------------------------------------------- */

static const char crash_text[] =
	"hvinfo: a crash asked for on the command line\n"
	"(this is the crash message, at GPA P3, P4 bytes long)";

static void request_crash(void)
{
	static const struct {
		uint32_t msr;
		const char *name;
	} params[] = {
		{ HV_X64_MSR_CRASH_P0, "CRASH_P0" },
		{ HV_X64_MSR_CRASH_P1, "CRASH_P1" },
		{ HV_X64_MSR_CRASH_P2, "CRASH_P2" },
		{ HV_X64_MSR_CRASH_P3, "CRASH_P3" },
		{ HV_X64_MSR_CRASH_P4, "CRASH_P4" },
	};
	uint64_t value[ARRAY_SIZE(params)] = {
		0x0badc0de, 1, 2, (uintptr_t)crash_text, sizeof(crash_text) - 1,
	};
	unsigned int i;

	if (!crash_granted()) {
		guest_info("crash: GuestCrashMsrs not granted");
		return;
	}
	guest_info("crash: P0-P4, then CRASH_CTL = CrashNotify | CrashMessage");
	for (i = 0; i < ARRAY_SIZE(params); i++)
		if (msr_write(params[i].msr, params[i].name, value[i]))
			return;
	if (msr_write(HV_X64_MSR_CRASH_CTL, "CRASH_CTL",
		      HV_CRASH_CTL_CRASH_NOTIFY | HV_CRASH_CTL_CRASH_NOTIFY_MSG))
		return;
	guest_info("crash: the root let the guest go on");
}

static void request_reset(void)
{
	if (!granted(HV_MSR_RESET_AVAILABLE)) {
		guest_info("reset: AccessResetReg not granted");
		return;
	}
	guest_info("reset: writing 1 to the RESET MSR");
	if (!msr_write(HV_X64_MSR_RESET, "RESET", 1))
		guest_info("reset: the root let the guest go on");
}

/*
 * A one-shot x2APIC timer about 10 ms ahead (at the 200 MHz that
 * APIC_FREQUENCY reports), for request_idle().  0 if there is no x2APIC,
 * as in a partition without hvpart's local APIC.
 */
static int arm_idle_timer(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[2] & CPUID1_ECX_X2APIC))
		return 0;
	wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) |
	      APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	wrmsr(X2APIC_SVR, 0x1ff);
	wrmsr(X2APIC_TIMER_DCR, 0xb);		/* divide by 1 */
	wrmsr(X2APIC_LVT_TIMER, IDLE_VECTOR);	/* one-shot */
	wrmsr(X2APIC_TIMER_ICR, 2000000);
	return 1;
}

/*
 * GUEST_IDLE with interrupts off: any interrupt ends the idle state (the
 * TLFS), here the APIC timer's, which then waits in IRR.  Without a
 * local APIC hvctl ends the run at the read.
 */
static void request_idle(void)
{
	uint64_t v;
	int timer;

	if (!idle_granted()) {
		guest_info("idle: GUEST_IDLE not granted");
		return;
	}
	asm volatile("cli");
	timer = arm_idle_timer();
	guest_info(timer ? "idle: reading GUEST_IDLE, interrupts off, the APIC timer armed" :
		   "idle: reading GUEST_IDLE, with no local APIC to wake the VP");
	if (msr_read(HV_X64_MSR_GUEST_IDLE, "GUEST_IDLE", &v))
		return;
	if (!timer) {
		guest_info("idle: woken up");
		return;
	}
	v = rdmsr(X2APIC_IRR0 + IDLE_VECTOR / 32);
	guest_info(v & (1u << (IDLE_VECTOR % 32)) ?
		   "idle: woken up by the APIC timer, its interrupt pending" :
		   "idle: woken up, but the APIC timer's interrupt is not pending");
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | IDLE_VECTOR);
}

void hvinfo_main(uint32_t magic, const struct mb_info *mbi)
{
	const char *cmdline = "";

	uart_init();
	setup_idt();
	puts("\nhvinfo: the Hyper-V TLFS interface of this partition, as its guest sees it\n");
	if (magic == MB_BOOTLOADER_MAGIC && (mbi->flags & MB_INFO_CMDLINE))
		cmdline = (const char *)(uintptr_t)mbi->cmdline;

	if (detect()) {
		print_leaves();
		if (!hv.privileges && !hv.features && !hv.recommendations)
			guest_info("nothing is available: no privileges, features or recommendations, so no synthetic MSRs and no hypercalls");
		hypercall_interface();
		vp_registers();
		reference_counter();
		reference_tsc_page();
		other_msrs();
		/* hvctl ends the run at the first of these */
		if (has_word(cmdline, "crash"))
			request_crash();
		if (has_word(cmdline, "reset"))
			request_reset();
		if (has_word(cmdline, "idle"))
			request_idle();
	}
	guest_info("done, shutting down via port 0x8900");
	shutdown();
}
