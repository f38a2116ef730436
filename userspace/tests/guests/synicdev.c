// SPDX-License-Identifier: GPL-2.0
/*
 * synicdev.elf: QEMU's SynIC test device (hyperv-testdev, port 0x3000)
 * as kvm-unit-tests use it, on hvctl's worker.  It enables the SynIC
 * (SIMP, SIEFP, three SINTs on their own vectors, SCONTROL) and the
 * hypercall page (32-bit calling convention), then:
 *  - creates a SINT route and SET_SINTs it twice: two interrupts, no
 *    event flag set;
 *  - creates a message connection, HvPostMessage on it, and waits for
 *    the echo in its SINT's slot (same type, size and payload); frees
 *    the slot, EOMs, EOIs;
 *  - creates an event connection, HvSignalEvent on it, and waits for
 *    its SINT with flag <connection id> set;
 *  - destroys both and checks that HvPostMessage and HvSignalEvent then
 *    return HV_STATUS_INVALID_CONNECTION_ID;
 *  - writes garbage (unknown command, VP 9, a byte write), which the
 *    device ignores, and reads the port (0).
 * Prints what it sees; any failure writes 0x33 to isa-debug-exit (hvctl
 * exits 103), as does its APIC timer (about 30 s) if an interrupt never
 * comes.
 */
#include <stdint.h>

#include "../../guests/guest.h"
#include "../../guests/apic.h"
#include "../../tlfs.h"

#define TESTDEV		0x3000
#define CMD_ROUTE_CREATE	1
#define CMD_ROUTE_DESTROY	2
#define CMD_SET_SINT		3
#define CMD_MSG_CREATE		4
#define CMD_MSG_DESTROY		5
#define CMD_EVT_CREATE		6
#define CMD_EVT_DESTROY		7

#define HV_X64_MSR_SCONTROL	0x40000080
#define HV_X64_MSR_SIEFP	0x40000082
#define HV_X64_MSR_SIMP		0x40000083
#define HV_X64_MSR_EOM		0x40000084
#define HV_X64_MSR_SINT0	0x40000090
#define HVCALL_POST_MESSAGE	0x005c
#define HVCALL_SIGNAL_EVENT	0x005d
#define HV_STATUS_INVALID_CONNECTION_ID	0x12
#define HV_MSR_SYNIC_AVAILABLE_BIT	(1u << 2)
#define HV_POST_MESSAGES_BIT	(1u << 4)	/* CPUID 0x40000003 EBX */
#define HV_SIGNAL_EVENTS_BIT	(1u << 5)

#define SINT_ROUTE	2
#define SINT_MSG	3
#define SINT_EVT	4
#define VEC_ROUTE	0x50
#define VEC_MSG		0x51
#define VEC_EVT		0x52
#define VEC_TIMER	0x30
#define MSG_CONN	0x10
#define EVT_CONN	0x21
#define MSG_TYPE	0x4d5a
#define WATCHDOG_COUNT	50000000u	/* at 200 MHz / 128 */

/* HV_MESSAGE */
struct hv_message {
	uint32_t message_type;
	uint8_t payload_size;
	uint8_t message_flags;
	uint8_t rsvd[2];
	uint64_t sender;
	uint8_t payload[240];
};

/* HV_INPUT_POST_MESSAGE */
struct post_input {
	uint32_t connection_id;
	uint32_t rsvd;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[240];
};

/* HV_INPUT_SIGNAL_EVENT */
struct signal_input {
	uint32_t connection_id;
	uint16_t flag_number;
	uint16_t rsvd;
};

static struct idt_gate idt[256];
static volatile struct hv_message sim[16] __attribute__((aligned(4096)));
static volatile uint32_t sief[1024] __attribute__((aligned(4096)));
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t input_page[4096] __attribute__((aligned(4096)));
static uint32_t hypercall_addr;

static volatile unsigned int route_count, msg_count, evt_count;
static volatile uint32_t route_flags, evt_flags;
static struct hv_message got;

static void fail(const char *why)
{
	puts("synicdev: FAIL ");
	puts(why);
	puts("\n");
	outb(DEBUG_EXIT, 0x33);
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void testdev(uint32_t cmd, uint32_t vp, uint32_t sint, uint32_t conn)
{
	outl(TESTDEV, conn << 24 | cmd << 16 | vp << 8 | sint);
}

/*
 * A hypercall through the page, the 32-bit way: EDX:EAX the input
 * value, EBX:ECX the input GPA, EDI:ESI the output GPA; the result
 * value comes back in EDX:EAX.
 */
static uint64_t hypercall(uint32_t code, const void *in)
{
	uint32_t lo = code, hi = 0, bx = 0, cx = (uint32_t)in, di = 0, si = 0;

	asm volatile("call *%[page]"
		     : "+a"(lo), "+d"(hi), "+b"(bx), "+c"(cx), "+D"(di),
		       "+S"(si)
		     : [page] "m"(hypercall_addr)
		     : "cc", "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint16_t post_message(uint32_t conn, const char *text,
			     unsigned int len)
{
	struct post_input *in = (struct post_input *)input_page;
	unsigned int i;

	in->connection_id = conn;
	in->rsvd = 0;
	in->message_type = MSG_TYPE;
	in->payload_size = len;
	for (i = 0; i < len; i++)
		in->payload[i] = text[i];
	return hypercall(HVCALL_POST_MESSAGE, in) & 0xffff;
}

static uint16_t signal_event(uint32_t conn)
{
	struct signal_input *in = (struct signal_input *)input_page;

	in->connection_id = conn;
	in->flag_number = 0;
	in->rsvd = 0;
	return hypercall(HVCALL_SIGNAL_EVENT, in) & 0xffff;
}

/* Reads and clears the first 32 event flags of @sint. */
static uint32_t take_flags(unsigned int sint, unsigned int word)
{
	return __atomic_exchange_n(&sief[sint * 64 + word], 0,
				   __ATOMIC_SEQ_CST);
}

__attribute__((interrupt))
static void route_isr(struct irq_frame *f)
{
	(void)f;
	route_flags |= take_flags(SINT_ROUTE, 0) | take_flags(SINT_ROUTE, 1);
	route_count++;
	lapic_eoi();
}

__attribute__((interrupt))
static void msg_isr(struct irq_frame *f)
{
	volatile struct hv_message *slot = &sim[SINT_MSG];
	unsigned int i;

	(void)f;
	if (slot->message_type) {
		got.message_type = slot->message_type;
		got.payload_size = slot->payload_size;
		for (i = 0; i < sizeof(got.payload); i++)
			got.payload[i] = slot->payload[i];
		slot->message_type = 0;		/* free the slot */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (slot->message_flags & 1)	/* MessagePending */
			wrmsr(HV_X64_MSR_EOM, 0);
		msg_count++;
	}
	lapic_eoi();
}

__attribute__((interrupt))
static void evt_isr(struct irq_frame *f)
{
	(void)f;
	evt_flags |= take_flags(SINT_EVT, EVT_CONN / 32);
	evt_count++;
	lapic_eoi();
}

static void status_line(const char *what, uint16_t status)
{
	puts("synicdev: ");
	puts(what);
	puts(" status ");
	puthex(status, 4);
	puts("\n");
}

static int setup(void)
{
	uint32_t r[4];

	cpuid(HYPERV_CPUID_FEATURES, r);
	if (!(r[0] & HV_MSR_SYNIC_AVAILABLE_BIT) ||
	    !(r[0] & HV_MSR_HYPERCALL_AVAILABLE) ||
	    !(r[1] & HV_POST_MESSAGES_BIT) || !(r[1] & HV_SIGNAL_EVENTS_BIT)) {
		fail("no SynIC, hypercalls, PostMessages or SignalEvents");
		return 1;
	}
	wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x8100000000000000ull);
	hypercall_addr = (uint32_t)hypercall_page;
	wrmsr(HV_X64_MSR_HYPERCALL, hypercall_addr | HV_X64_MSR_HYPERCALL_ENABLE);

	wrmsr(HV_X64_MSR_SIMP, (uint32_t)sim | 1);
	wrmsr(HV_X64_MSR_SIEFP, (uint32_t)sief | 1);
	wrmsr(HV_X64_MSR_SINT0 + SINT_ROUTE, VEC_ROUTE);
	wrmsr(HV_X64_MSR_SINT0 + SINT_MSG, VEC_MSG);
	wrmsr(HV_X64_MSR_SINT0 + SINT_EVT, VEC_EVT);
	wrmsr(HV_X64_MSR_SCONTROL, 1);
	puts("synicdev: SynIC enabled\n");
	return 0;
}

static int sint_route(void)
{
	testdev(CMD_ROUTE_CREATE, 0, SINT_ROUTE, 0);
	testdev(CMD_SET_SINT, 0, SINT_ROUTE, 0);
	if (wait_or_watchdog(&route_count, 1)) {
		fail("no interrupt after SET_SINT");
		return 1;
	}
	testdev(CMD_SET_SINT, 0, SINT_ROUTE, 0);
	if (wait_or_watchdog(&route_count, 2)) {
		fail("no interrupt after the second SET_SINT");
		return 1;
	}
	testdev(CMD_ROUTE_DESTROY, 0, SINT_ROUTE, 0);
	puts("synicdev: SET_SINT raised vector 0x50 twice, event flags ");
	puts(route_flags ? "set\n" : "clear\n");
	return route_flags != 0;
}

static int message(void)
{
	static const char text[] = "hyperv-testdev echo";
	unsigned int i, len = sizeof(text);
	uint16_t status;

	testdev(CMD_MSG_CREATE, 0, SINT_MSG, MSG_CONN);
	status = post_message(MSG_CONN, text, len);
	status_line("HvPostMessage", status);
	if (status) {
		fail("HvPostMessage on the message connection");
		return 1;
	}
	if (wait_or_watchdog(&msg_count, 1)) {
		fail("no message came back");
		return 1;
	}
	puts("synicdev: message back in SINT3: type ");
	puthex(got.message_type, 8);
	puts(", ");
	putdec(got.payload_size);
	puts(" bytes, [");
	puts((const char *)got.payload);
	puts("]\n");
	if (got.message_type != MSG_TYPE || got.payload_size != len)
		return 1;
	for (i = 0; i < len; i++)
		if (got.payload[i] != (uint8_t)text[i])
			return 1;
	puts("synicdev: payload matches\n");
	return 0;
}

static int event(void)
{
	uint16_t status;

	testdev(CMD_EVT_CREATE, 0, SINT_EVT, EVT_CONN);
	status = signal_event(EVT_CONN);
	status_line("HvSignalEvent", status);
	if (status) {
		fail("HvSignalEvent on the event connection");
		return 1;
	}
	if (wait_or_watchdog(&evt_count, 1)) {
		fail("no event came back");
		return 1;
	}
	puts("synicdev: event back in SINT4: flags ");
	puthex(evt_flags, 8);
	puts(" of word 1\n");
	return evt_flags != 1u << (EVT_CONN % 32);
}

static int destroyed(void)
{
	uint16_t msg, evt;

	testdev(CMD_MSG_DESTROY, 0, 0, MSG_CONN);
	testdev(CMD_EVT_DESTROY, 0, 0, EVT_CONN);
	msg = post_message(MSG_CONN, "x", 1);
	evt = signal_event(EVT_CONN);
	status_line("HvPostMessage after MSG_CONN_DESTROY", msg);
	status_line("HvSignalEvent after EVT_CONN_DESTROY", evt);
	return msg != HV_STATUS_INVALID_CONNECTION_ID ||
	       evt != HV_STATUS_INVALID_CONNECTION_ID;
}

/* Garbage the device ignores; SET_SINT on a destroyed route raises nothing. */
static int garbage(void)
{
	unsigned int before = route_count;

	testdev(0x99, 0, 0, 0);
	testdev(CMD_ROUTE_CREATE, 9, 0, 0);
	testdev(CMD_ROUTE_CREATE, 0, 16, 0);
	testdev(CMD_MSG_CREATE, 0, SINT_MSG, 0);
	testdev(CMD_MSG_DESTROY, 0, 0, 0x77);
	testdev(CMD_SET_SINT, 0, SINT_ROUTE, 0);
	outb(TESTDEV, 0xff);
	puts("synicdev: port 0x3000 reads ");
	puthex(inl(TESTDEV), 8);
	puts("\n");
	/* an interrupt would have come at the STI */
	asm volatile("sti; nop; cli");
	return route_count != before;
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	uart_init();
	set_gate(idt, VEC_ROUTE, route_isr);
	set_gate(idt, VEC_MSG, msg_isr);
	set_gate(idt, VEC_EVT, evt_isr);
	set_gate(idt, VEC_TIMER, watchdog_isr);
	load_idt(idt);
	lapic_write(LAPIC_SVR, 0x1ff);	/* enabled, spurious 0xff */
	lapic_write(LAPIC_TIMER_DCR, 0xa);	/* divide by 128 */
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);	/* one-shot */
	lapic_write(LAPIC_TIMER_ICR, WATCHDOG_COUNT);

	if (setup())
		return;
	if (sint_route()) {
		fail("SINT route");
		return;
	}
	if (message()) {
		fail("message connection");
		return;
	}
	if (event()) {
		fail("event connection");
		return;
	}
	if (destroyed()) {
		fail("destroyed connections");
		return;
	}
	if (garbage()) {
		fail("ignored commands");
		return;
	}
	lapic_write(LAPIC_TIMER_ICR, 0);
	puts("synicdev: done\n");
	shutdown();
}
