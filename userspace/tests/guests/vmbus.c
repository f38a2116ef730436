// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus.elf: hvctl's VMBus server (userspace/vmbus/) as no Linux guest
 * ever drives it.  It enables the SynIC (SIMP, SIEFP, SINT 2 on a
 * vector, SCONTROL) and the hypercall page, then speaks the channel
 * management protocol by hand:
 *  - requests before contact, and a contact that names a VP the
 *    partition lacks: no answer;
 *  - contacts with versions the server refuses, 5.0 on the wrong SINT,
 *    then 5.3 on connection 4;
 *  - the offers of the three ICs, then five requests for them while
 *    the guest keeps its message slot full: 20 answers, more than
 *    hvpart queues on a SINT, must all come, in order;
 *  - GPADLs it must refuse (a page beyond RAM in the header and in a
 *    body, unknown relids, two ranges, wrong lengths, a duplicate
 *    handle), bodies nobody waits for, and a good GPADL of 60 pages in
 *    three messages;
 *  - opens it must refuse (unknown relid and GPADL, another channel's
 *    GPADL, an unfinished one, every bad ring split, VP 5, an open
 *    channel), then a good open of the shutdown IC: its negotiation
 *    request lands in the inbound ring and sets SINT 2's event flag 1;
 *    MODIFYCHANNEL to VP 5 and of a closed channel (refused), to VP 0;
 *  - a broken ring (a write index past its end) and a signal, then
 *    close, teardown, unknown message types and short messages, a
 *    teardown of an open channel's ring, unload, and a second contact;
 *  - a fuzzer: FUZZ_MSGS random control messages (of every type, with
 *    relids, GPADL handles and page frames mostly where the server
 *    looks, and random lengths), then FUZZ_RINGS rounds of random bytes
 *    and indices in an open channel's outbound ring, each with a
 *    signal; then the server must still answer an unload, a contact and
 *    the offers, in order, as at the start.
 * A request that must go unanswered is followed by one that must be
 * answered: its answer has to be the next message, which makes the
 * check one of order, not of time.
 *
 * With "rescind" on its command line (tests/vm-hvctl.sh runs it by
 * name, and asks for hv_sock connections with hvctl connect) it checks
 * the host's rescinds instead: a release of a channel not rescinded, an
 * hv_sock offer it opens and then breaks (a packet that is not pipe
 * data), the rescind, an open and a close after it, the release, the
 * relid and the GPADL handle free again; then an offer it never opens,
 * taken back by the host's timeout.
 *
 * Prints a line per check; any failure writes 0x33 to isa-debug-exit
 * (hvctl exits 103), as does a wait for an answer that outlasts 30 s
 * of its APIC timer.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../guests/guest.h"
#include "../../guests/apic.h"
#include "../../tlfs.h"
#include "../../vmbus/proto.h"

#define HV_X64_MSR_SCONTROL	0x40000080
#define HV_X64_MSR_SIEFP	0x40000082
#define HV_X64_MSR_SIMP		0x40000083
#define HV_X64_MSR_EOM		0x40000084
#define HV_X64_MSR_SINT0	0x40000090
#define HVCALL_POST_MESSAGE	0x005c
#define HVCALL_SIGNAL_EVENT	0x005d
#define HV_STATUS_INVALID_CONNECTION_ID	0x12
#define HV_STATUS_INSUFFICIENT_BUFFERS	0x13
#define HV_MSR_SYNIC_AVAILABLE_BIT	(1u << 2)
#define HV_POST_MESSAGES_BIT	(1u << 4)	/* CPUID 0x40000003 EBX */
#define HV_SIGNAL_EVENTS_BIT	(1u << 5)

#define SINT		VMBUS_MESSAGE_SINT
#define VEC_SINT	0x50
#define VEC_TIMER	0x30
#define HZ		20
#define TICK_COUNT	(APIC_HZ / 128 / HZ)	/* divide by 128 */
#define WAIT_TICKS	(30 * HZ)	/* for an answer */
#define QUIET_TICKS	(HZ / 2)	/* for silence, then a fence */
#define QLEN		32
#define HELD_REQUESTS	5	/* 20 answers: more than a SINT queues */

#define CONN_CHAN(relid)	(0x2000u + (relid))
#define RING_PAGES	4		/* 2 outbound, 2 inbound */
#define BIG_PAGES	60		/* 26 in the header, 28 + 6 in bodies */
#define HDR_PFNS	26
#define BODY_PFNS	28
#define SCRATCH_PFN	0x300		/* pages a GPADL names, never opened */

/* GPADL handles */
#define G_BEYOND	0x100
#define G_BEYOND_BODY	0x101
#define G_RELID		0x102
#define G_RELID0	0x103
#define G_RANGES	0x104
#define G_BUFLEN	0x105
#define G_OFFSET	0x106
#define G_EMPTY		0x107
#define G_RING		0x200
#define G_RING2		0x201
#define G_BIG		0x300
#define G_UNKNOWN	0x999
#define G_SOCK		0x400
#define G_SOCK2		0x401

/* The hv_sock ports vm-hvctl.sh connects to, and their relid */
#define SOCK_PORT	4242
#define SOCK_PORT2	4243
#define SOCK_RELID	4

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

/* A control message the SINT brought, copied out of the SIM slot */
struct rx_msg {
	uint32_t len;
	union {
		uint8_t b[240];
		struct vmbus_msg_header hdr;
		struct vmbus_msg_version_response version;
		struct vmbus_msg_offer_channel offer;
		struct vmbus_msg_gpadl_created created;
		struct vmbus_msg_gpadl_torndown torndown;
		struct vmbus_msg_open_result result;
		struct vmbus_msg_modifychannel_response modified;
	};
};

static struct idt_gate idt[256];
static volatile struct hv_message sim[16] __attribute__((aligned(4096)));
static volatile uint32_t sief[1024] __attribute__((aligned(4096)));
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t input_page[4096] __attribute__((aligned(4096)));
/* The ring GPADL: outbound header and data, inbound header and data */
static volatile uint8_t ring[RING_PAGES][4096] __attribute__((aligned(4096)));
static uint32_t hypercall_addr;
static uint32_t ram_pages;
static uint32_t openid;

static volatile unsigned int ticks;
static struct rx_msg queue[QLEN];
static volatile unsigned int q_head, q_tail, q_lost, hold;
/* While set, answers are counted in @dropped and thrown away (fuzz()) */
static volatile unsigned int discard, dropped;

/* The message being built */
static union {
	uint8_t b[240];
	uint64_t align;
	struct vmbus_msg_header hdr;
	struct vmbus_msg_initiate_contact contact;
	struct vmbus_msg_gpadl_header gpadl;
	struct vmbus_msg_gpadl_body body;
	struct vmbus_msg_gpadl_teardown teardown;
	struct vmbus_msg_open_channel open;
	struct vmbus_msg_relid relid;
	struct vmbus_msg_modifychannel modify;
} out;
static uint64_t pfns[BIG_PAGES];

/* The IC class GUIDs, relid 1 to 3 (Linux's hv_utils matches them) */
static const struct {
	const char *name;
	uint8_t guid[16];
} ics[3] = {
	{ "shutdown", {	/* {0e0b6031-5213-4934-818b-38d90ced39db} */
		0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
		0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb } },
	{ "time sync", { /* {9527e630-d0ae-497b-adce-e80ab0175caf} */
		0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
		0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf } },
	{ "heartbeat", { /* {57164f39-9115-4e78-ab55-382f3bd5422d} */
		0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
		0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d } },
};

static void __attribute__((noreturn)) fail(const char *why)
{
	puts("vmbus: FAIL ");
	puts(why);
	puts("\n");
	outb(DEBUG_EXIT, 0x33);
	for (;;)
		asm volatile("cli; hlt");
}

static void line(const char *what)
{
	puts("vmbus: ");
	puts(what);
}

static void hex(const char *what, uint32_t v)
{
	puts(what);
	puthex(v, 8);
}

/* Is NTSTATUS @status success when @ok, and failure when not? */
static int as_wanted(uint32_t status, int ok)
{
	return ok ? !status : !!status;
}

/* Sleeps until the next interrupt. */
static void idle(void)
{
	asm volatile("sti; hlt; cli" : : : "memory");
}

static int before(unsigned int until)
{
	return (int)(ticks - until) < 0;
}

__attribute__((interrupt))
static void timer_isr(struct irq_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

/* Takes every message in SINT 2's slot: copies it, frees the slot, EOM. */
static void take_messages(void)
{
	volatile struct hv_message *slot = &sim[SINT];
	struct rx_msg *m;
	unsigned int i;

	while (!hold && slot->message_type) {
		if (discard) {
			dropped++;
		} else if (slot->message_type != VMBUS_HV_MESSAGE_TYPE ||
		    slot->payload_size > sizeof(m->b) ||
		    q_tail - q_head == QLEN) {
			q_lost++;
		} else {
			m = &queue[q_tail % QLEN];
			m->len = slot->payload_size;
			for (i = 0; i < m->len; i++)
				m->b[i] = slot->payload[i];
			q_tail++;
		}
		slot->message_type = 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		wrmsr(HV_X64_MSR_EOM, 0);
	}
}

__attribute__((interrupt))
static void sint_isr(struct irq_frame *f)
{
	(void)f;
	take_messages();
	lapic_eoi();
}

/* The 32-bit hypercall convention; see synicdev.c. */
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

static void clear_out(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(out.b); i++)
		out.b[i] = 0;
}

/* HvPostMessage of out's first @len bytes; retried while the queue is full */
static void post(uint32_t conn, unsigned int len)
{
	struct post_input *in = (struct post_input *)input_page;
	unsigned int i, until = ticks + WAIT_TICKS;
	uint16_t status;

	in->connection_id = conn;
	in->rsvd = 0;
	in->message_type = VMBUS_HV_MESSAGE_TYPE;
	in->payload_size = len;
	for (i = 0; i < len; i++)
		in->payload[i] = out.b[i];
	for (;;) {
		status = hypercall(HVCALL_POST_MESSAGE, in) & 0xffff;
		if (status != HV_STATUS_INSUFFICIENT_BUFFERS || !before(until))
			break;
		idle();
	}
	if (status) {
		hex("HvPostMessage status ", status);
		puts("\n");
		fail("HvPostMessage");
	}
}

static void post_type(uint32_t type, unsigned int len)
{
	clear_out();
	out.hdr.msgtype = type;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, len);
}

static uint16_t signal_event(uint32_t conn)
{
	struct signal_input *in = (struct signal_input *)input_page;

	in->connection_id = conn;
	in->flag_number = 0;
	in->rsvd = 0;
	return hypercall(HVCALL_SIGNAL_EVENT, in) & 0xffff;
}

/* The next message within @within ticks, or NULL */
static const struct rx_msg *recv(unsigned int within)
{
	unsigned int until = ticks + within;

	while (q_head == q_tail && before(until))
		idle();
	if (q_lost)
		fail("a message not of VMBus's type, or the queue overflowed");
	if (q_head == q_tail)
		return NULL;
	return &queue[q_head++ % QLEN];
}

/* The next message, which must be of @type and at least @len bytes */
static const struct rx_msg *expect(uint32_t type, unsigned int len,
				   const char *what)
{
	const struct rx_msg *m = recv(WAIT_TICKS);

	if (!m) {
		line("no answer to ");
		puts(what);
		puts("\n");
		fail(what);
	}
	if (m->hdr.msgtype != type || m->len < len) {
		line("to ");
		puts(what);
		hex(": message type ", m->hdr.msgtype);
		puts(", ");
		putdec(m->len);
		puts(" bytes\n");
		fail(what);
	}
	return m;
}

/* Nothing may come for a while (the next expect() checks the order). */
static void quiet(const char *what)
{
	const struct rx_msg *m = recv(QUIET_TICKS);

	if (m) {
		line(what);
		hex(": answered with message type ", m->hdr.msgtype);
		puts("\n");
		fail(what);
	}
	line(what);
	puts(": no answer\n");
}

/* ---- set-up ---------------------------------------------------------- */

static void setup(const struct mb_info *mbi)
{
	uint32_t r[4];

	cpuid(HYPERV_CPUID_FEATURES, r);
	if (!(r[0] & HV_MSR_SYNIC_AVAILABLE_BIT) ||
	    !(r[0] & HV_MSR_HYPERCALL_AVAILABLE) ||
	    !(r[1] & HV_POST_MESSAGES_BIT) || !(r[1] & HV_SIGNAL_EVENTS_BIT))
		fail("no SynIC, hypercalls, PostMessages or SignalEvents");
	if (!(mbi->flags & MB_INFO_MEMORY))
		fail("no memory size in the Multiboot information");
	/* hvctl's RAM is one range from 0; mem_upper counts from 1 MiB */
	ram_pages = (mbi->mem_upper + 1024) / 4;

	wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x8100000000000000ull);
	hypercall_addr = (uint32_t)hypercall_page;
	wrmsr(HV_X64_MSR_HYPERCALL, hypercall_addr | HV_X64_MSR_HYPERCALL_ENABLE);
	wrmsr(HV_X64_MSR_SIMP, (uint32_t)sim | 1);
	wrmsr(HV_X64_MSR_SIEFP, (uint32_t)sief | 1);
	wrmsr(HV_X64_MSR_SINT0 + SINT, VEC_SINT);
	wrmsr(HV_X64_MSR_SCONTROL, 1);
	line("SynIC enabled, SINT2 on vector 0x50, ");
	putdec(ram_pages);
	puts(" pages of RAM\n");
}

/* ---- contact --------------------------------------------------------- */

static const struct rx_msg *contact(uint32_t conn, uint32_t version,
				    uint32_t vcpu, uint8_t sint)
{
	clear_out();
	out.contact.header.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	out.contact.version_requested = version;
	out.contact.target_vcpu = vcpu;
	if (version >= VMBUS_VERSION_WIN10_V5)
		out.contact.msg_sint = sint;
	post(conn, sizeof(out.contact));
	if (vcpu)
		return NULL;
	return expect(VMBUS_MSG_VERSION_RESPONSE,
		      sizeof(struct vmbus_msg_version_response),
		      "INITIATE_CONTACT");
}

static void refused_contact(uint32_t conn, uint32_t version, uint8_t sint,
			    const char *name)
{
	const struct rx_msg *m = contact(conn, version, 0, sint);

	hex("vmbus: INITIATE_CONTACT ", version);
	puts(name);
	puts(": version_supported ");
	putdec(m->version.version_supported);
	puts("\n");
	if (m->version.version_supported)
		fail("a version the server must refuse");
}

static void before_contact(void)
{
	post_type(VMBUS_MSG_REQUESTOFFERS, sizeof(struct vmbus_msg_header));
	quiet("REQUESTOFFERS before contact");
	contact(VMBUS_MESSAGE_CONNECTION_ID_4, VMBUS_VERSION_WIN10_V5_3, 5,
		SINT);
	quiet("INITIATE_CONTACT 5.3 for VP5");
	/* the first answer must be to this */
	refused_contact(VMBUS_MESSAGE_CONNECTION_ID, 0x0000000d, 0,
			" (WS2008)");
}

static void connect(void)
{
	const struct rx_msg *m;

	refused_contact(VMBUS_MESSAGE_CONNECTION_ID, 0x00010001, 0, " (WIN7)");
	refused_contact(VMBUS_MESSAGE_CONNECTION_ID, 0x00090000, 0,
			" (no such version)");
	refused_contact(VMBUS_MESSAGE_CONNECTION_ID_4, 0x00050004, SINT,
			" (no such version)");
	refused_contact(VMBUS_MESSAGE_CONNECTION_ID_4, VMBUS_VERSION_WIN10_V5,
			3, " (5.0) on SINT3");
	m = contact(VMBUS_MESSAGE_CONNECTION_ID_4, VMBUS_VERSION_WIN10_V5_3,
		    0, SINT);
	line("INITIATE_CONTACT 0x00050003 (5.3) on connection 4: version_supported ");
	putdec(m->version.version_supported);
	puts(", msg_conn_id ");
	putdec(m->version.msg_conn_id);
	puts("\n");
	if (m->version.version_supported != 1 ||
	    m->version.msg_conn_id != VMBUS_MESSAGE_CONNECTION_ID_4)
		fail("version 5.3");
}

static int guid_is(const struct vmbus_guid *g, const uint8_t *want)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (g->b[i] != want[i])
			return 0;
	return 1;
}

static void offers_answer(void)
{
	const struct vmbus_msg_offer_channel *o;
	uint32_t relid;

	for (relid = 1; relid <= 3; relid++) {
		o = &expect(VMBUS_MSG_OFFERCHANNEL, sizeof(*o),
			    "REQUESTOFFERS")->offer;
		line("offer relid ");
		putdec(o->child_relid);
		puts(": ");
		puts(guid_is(&o->offer.if_type, ics[relid - 1].guid) ?
		     ics[relid - 1].name : "unknown");
		puts(" IC,");
		if (o->offer.chn_flags & VMBUS_CHANNEL_NAMED_PIPE_MODE)
			puts(" pipe mode,");
		if (o->is_dedicated_interrupt & 1)
			puts(" dedicated interrupt,");
		hex(" connection ", o->connection_id);
		puts("\n");
		if (o->child_relid != relid ||
		    !guid_is(&o->offer.if_type, ics[relid - 1].guid) ||
		    !(o->offer.chn_flags & VMBUS_CHANNEL_NAMED_PIPE_MODE) ||
		    !(o->is_dedicated_interrupt & 1) ||
		    o->connection_id != CONN_CHAN(relid))
			fail("offer");
	}
	expect(VMBUS_MSG_ALLOFFERS_DELIVERED, sizeof(struct vmbus_msg_header),
	       "REQUESTOFFERS");
	line("ALLOFFERS_DELIVERED\n");
}

static void offers(void)
{
	post_type(VMBUS_MSG_REQUESTOFFERS, sizeof(struct vmbus_msg_header));
	offers_answer();
}

/*
 * The guest keeps its SIM slot full while it asks for more answers than
 * hvpart queues on a SINT: the server has to keep the rest and post
 * them once there is room.  They must all come, in order.
 */
static void held_slot(void)
{
	unsigned int i, until;

	hold = 1;
	for (i = 0; i < HELD_REQUESTS; i++)
		post_type(VMBUS_MSG_REQUESTOFFERS,
			  sizeof(struct vmbus_msg_header));
	until = ticks + WAIT_TICKS;
	while (!sim[SINT].message_type && before(until))
		idle();
	/* then time for the server to find the queue full (not checked) */
	until = ticks + HZ;
	while (before(until))
		idle();
	line("5 REQUESTOFFERS, SIM slot ");
	puts(sim[SINT].message_type ? "full" : "empty");
	puts(", released\n");
	if (!sim[SINT].message_type)
		fail("no message waits in the held slot");
	hold = 0;
	take_messages();
	for (i = 0; i < HELD_REQUESTS; i++)
		offers_answer();
	line("20 answers in order after the slot was held\n");
}

/* ---- GPADLs ---------------------------------------------------------- */

/*
 * Builds a GPADL header of one range of @n pages (pfns[]) with the
 * first @here of them; returns its length.  Callers may spoil it.
 */
static unsigned int gpadl_build(uint32_t relid, uint32_t handle,
				unsigned int n, unsigned int here)
{
	struct vmbus_gpa_range range = {
		.byte_count = n * 4096,
		.byte_offset = 0,
	};
	uint8_t *p = out.b + sizeof(out.gpadl);
	unsigned int i;

	clear_out();
	out.gpadl.header.msgtype = VMBUS_MSG_GPADL_HEADER;
	out.gpadl.child_relid = relid;
	out.gpadl.gpadl = handle;
	out.gpadl.range_buflen = sizeof(range) + 8 * n;
	out.gpadl.rangecount = 1;
	for (i = 0; i < sizeof(range); i++)
		p[i] = ((const uint8_t *)&range)[i];
	for (i = 0; i < 8 * here; i++)
		p[sizeof(range) + i] = ((const uint8_t *)&pfns[i / 8])[i % 8];
	return sizeof(out.gpadl) + sizeof(range) + 8 * here;
}

static void gpadl_body(uint32_t handle, uint32_t msgnumber,
		       unsigned int from, unsigned int n)
{
	uint8_t *p = out.b + sizeof(out.body);
	unsigned int i;

	clear_out();
	out.body.header.msgtype = VMBUS_MSG_GPADL_BODY;
	out.body.msgnumber = msgnumber;
	out.body.gpadl = handle;
	for (i = 0; i < 8 * n; i++)
		p[i] = ((const uint8_t *)&pfns[from + i / 8])[i % 8];
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.body) + 8 * n);
}

/* The next message answers GPADL @handle of @relid: 0 or not, as @ok. */
static void gpadl_created(uint32_t relid, uint32_t handle, int ok,
			  const char *what)
{
	const struct vmbus_msg_gpadl_created *c;

	c = &expect(VMBUS_MSG_GPADL_CREATED, sizeof(*c), what)->created;
	hex("vmbus: GPADL ", c->gpadl);
	puts(" (");
	puts(what);
	hex("): creation_status ", c->creation_status);
	puts("\n");
	if (c->gpadl != handle || c->child_relid != relid ||
	    !as_wanted(c->creation_status, ok))
		fail(what);
}

static void gpadl_simple(uint32_t relid, uint32_t handle, unsigned int n,
			 int ok, const char *what)
{
	post(VMBUS_MESSAGE_CONNECTION_ID_4, gpadl_build(relid, handle, n, n));
	gpadl_created(relid, handle, ok, what);
}

static void fill_pfns(uint32_t first, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		pfns[i] = first + i;
}

static void gpadls(void)
{
	unsigned int len;

	/* refused in the header: the first page beyond RAM */
	pfns[0] = ram_pages;
	gpadl_simple(1, G_BEYOND, 1, 0, "page beyond RAM");

	/* refused in the body */
	fill_pfns(SCRATCH_PFN, 30);
	pfns[29] = 0xffffffffffull;
	post(VMBUS_MESSAGE_CONNECTION_ID_4,
	     gpadl_build(1, G_BEYOND_BODY, 30, HDR_PFNS));
	gpadl_body(G_BEYOND_BODY, 1, HDR_PFNS, 30 - HDR_PFNS);
	gpadl_created(1, G_BEYOND_BODY, 0, "page beyond RAM in a body");

	fill_pfns(SCRATCH_PFN, BIG_PAGES);
	gpadl_simple(9, G_RELID, 1, 0, "unknown relid 9");
	gpadl_simple(0, G_RELID0, 1, 0, "relid 0");

	len = gpadl_build(1, G_RANGES, 1, 1);
	out.gpadl.rangecount = 2;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, len);
	gpadl_created(1, G_RANGES, 0, "rangecount 2");

	len = gpadl_build(1, G_BUFLEN, 2, 2);
	out.gpadl.range_buflen += 8;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, len);
	gpadl_created(1, G_BUFLEN, 0, "range_buflen one pfn too long");

	len = gpadl_build(1, G_OFFSET, 1, 1);
	out.b[sizeof(out.gpadl) + 5] = 0x10;	/* byte_offset 4096 */
	post(VMBUS_MESSAGE_CONNECTION_ID_4, len);
	gpadl_created(1, G_OFFSET, 0, "byte_offset 4096");

	len = gpadl_build(1, G_EMPTY, 0, 0);
	out.gpadl.range_buflen = sizeof(struct vmbus_gpa_range) + 8;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, len + 8);
	gpadl_created(1, G_EMPTY, 0, "byte_count 0");

	/* the ring of relid 1 */
	fill_pfns((uint32_t)ring / 4096, RING_PAGES);
	gpadl_simple(1, G_RING, RING_PAGES, 1, "4 ring pages");

	/* bodies nobody waits for, then a duplicate handle */
	gpadl_body(G_UNKNOWN, 1, 0, 1);
	quiet("GPADL_BODY for unknown GPADL 0x00000999");
	gpadl_body(G_RING, 1, 0, 1);
	quiet("GPADL_BODY for complete GPADL 0x00000200");
	fill_pfns(SCRATCH_PFN, BIG_PAGES);
	gpadl_simple(1, G_RING, 1, 0, "duplicate handle");
}

/* ---- channels -------------------------------------------------------- */

/* OPENCHANNEL; returns the result's status */
static uint32_t open_channel(uint32_t relid, uint32_t gpadl, uint32_t vp,
			     uint32_t off, const char *what)
{
	const struct vmbus_msg_open_result *r;

	clear_out();
	out.open.header.msgtype = VMBUS_MSG_OPENCHANNEL;
	out.open.child_relid = relid;
	out.open.openid = ++openid;
	out.open.ringbuffer_gpadl = gpadl;
	out.open.target_vp = vp;
	out.open.downstream_ring_pageoffset = off;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.open));
	r = &expect(VMBUS_MSG_OPENCHANNEL_RESULT, sizeof(*r), what)->result;
	line("OPENCHANNEL relid ");
	putdec(relid);
	puts(" (");
	puts(what);
	hex("): status ", r->status);
	puts("\n");
	if (r->child_relid != relid || r->openid != openid)
		fail("OPENCHANNEL_RESULT names another open");
	return r->status;
}

static void refused_open(uint32_t relid, uint32_t gpadl, uint32_t vp,
			 uint32_t off, const char *what)
{
	if (!open_channel(relid, gpadl, vp, off, what))
		fail(what);
}

static void big_gpadl(void)
{
	/* header, then an open before the bodies: refused, not created */
	fill_pfns(SCRATCH_PFN, BIG_PAGES);
	post(VMBUS_MESSAGE_CONNECTION_ID_4,
	     gpadl_build(2, G_BIG, BIG_PAGES, HDR_PFNS));
	refused_open(2, G_BIG, 0, 2, "GPADL 0x00000300 unfinished");
	gpadl_body(G_BIG, 1, HDR_PFNS, BODY_PFNS);
	quiet("GPADL 0x00000300 after its first body");
	gpadl_body(G_BIG, 2, HDR_PFNS + BODY_PFNS,
		   BIG_PAGES - HDR_PFNS - BODY_PFNS);
	gpadl_created(2, G_BIG, 1, "60 pages in 3 messages");
}

static uint32_t rd32(volatile const uint8_t *p)
{
	return *(volatile const uint32_t *)p;
}

static uint16_t rd16(volatile const uint8_t *p)
{
	return *(volatile const uint16_t *)p;
}

static void copy_in(void *dst, volatile const uint8_t *src, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = src[i];
}

static uint32_t take_flags(void)
{
	return __atomic_exchange_n(&sief[SINT * 64], 0, __ATOMIC_SEQ_CST);
}

/*
 * The shutdown IC's first packet in the inbound ring (pages 2 and 3):
 * an in-band packet holding a pipe header and an IC negotiate request.
 */
static void negotiate_packet(void)
{
	volatile const uint8_t *data = ring[3];
	unsigned int until = ticks + WAIT_TICKS;
	struct vmbus_pipe_hdr pipe;
	struct vmbus_icmsg_hdr ic;
	uint32_t write, off, len, flags;

	while (!(write = rd32(ring[2])) && before(until))
		idle();
	off = rd16(data + 2) * 8;
	len = rd16(data + 4) * 8;
	line("inbound ring: write_index ");
	putdec(write);
	puts(", packet type ");
	putdec(rd16(data));
	puts(", ");
	putdec(len);
	puts(" bytes\n");
	if (!write || write >= 4096 || rd16(data) != VMBUS_PKT_DATA_INBAND ||
	    off < sizeof(struct vmbus_packet_desc) ||
	    len < off + sizeof(struct vmbus_pipe_hdr) +
		  sizeof(struct vmbus_icmsg_hdr) ||
	    len + VMBUS_PKT_TRAILER != write)
		fail("the negotiate packet");
	copy_in(&pipe, data + off, sizeof(pipe));
	copy_in(&ic, data + off + sizeof(pipe), sizeof(ic));
	line("pipe flags ");
	putdec(pipe.flags);
	puts(", IC message type ");
	putdec(ic.icmsgtype);
	hex(", IC flags ", ic.icflags);
	puts("\n");
	if (pipe.flags != 1 || pipe.msgsize < sizeof(ic) ||
	    pipe.msgsize > len - off - sizeof(pipe) ||
	    ic.icmsgtype != VMBUS_ICMSGTYPE_NEGOTIATE ||
	    !(ic.icflags & VMBUS_ICMSGHDRFLAG_REQUEST))
		fail("the IC negotiation");
	flags = take_flags();
	hex("vmbus: SINT2 event flags ", flags);
	puts("\n");
	if (flags != 1u << 1)
		fail("event flag 1");
}

static void clear_ring(void)
{
	unsigned int i, j;

	for (i = 0; i < RING_PAGES; i++)
		for (j = 0; j < 4096; j++)
			ring[i][j] = 0;
}

/* MODIFYCHANNEL (5.3 answers it): 0 or not, as @ok */
static void modify(uint32_t relid, uint32_t vp, int ok)
{
	const struct vmbus_msg_modifychannel_response *r;

	clear_out();
	out.modify.header.msgtype = VMBUS_MSG_MODIFYCHANNEL;
	out.modify.child_relid = relid;
	out.modify.target_vp = vp;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.modify));
	r = &expect(VMBUS_MSG_MODIFYCHANNEL_RESPONSE, sizeof(*r),
		    "MODIFYCHANNEL")->modified;
	line("MODIFYCHANNEL relid ");
	putdec(relid);
	puts(" to VP");
	putdec(vp);
	hex(": status ", r->status);
	puts("\n");
	if (r->child_relid != relid || !as_wanted(r->status, ok))
		fail("MODIFYCHANNEL");
}

static void opens(void)
{
	big_gpadl();
	refused_open(7, G_RING, 0, 2, "unknown relid 7");
	refused_open(0, G_RING, 0, 2, "relid 0");
	refused_open(1, G_UNKNOWN, 0, 2, "unknown GPADL");
	refused_open(1, G_BIG, 0, 2, "GPADL of relid 2");
	refused_open(1, G_RING, 0, 0, "downstream offset 0");
	refused_open(1, G_RING, 0, 1, "downstream offset 1");
	refused_open(1, G_RING, 0, 3, "downstream offset 3");
	refused_open(1, G_RING, 0, 4, "downstream offset 4");
	refused_open(1, G_RING, 0, 0x80000000u, "downstream offset 2^31");
	refused_open(1, G_RING, 5, 2, "target_vp 5");
	if (take_flags())
		fail("an event flag before any open");
	if (open_channel(1, G_RING, 0, 2, "4 ring pages, offset 2"))
		fail("the good open");
	negotiate_packet();
	refused_open(1, G_RING, 0, 2, "open again");
	modify(1, 5, 0);
	modify(2, 0, 0);
	modify(1, 0, 1);
}

/* A write index past the outbound ring, and a signal: the host looks. */
static void hostile_ring(void)
{
	volatile uint32_t *hdr = (volatile uint32_t *)ring[0];
	unsigned int until = ticks + WAIT_TICKS;
	uint16_t status;

	/*
	 * An answered request first: the server handles one message at a
	 * time, so the channel's event run after the last open is over.
	 */
	gpadl_simple(9, G_RELID, 1, 0, "unknown relid 9 again");
	if (hdr[2])
		fail("the host left the outbound ring masked");
	hdr[0] = 0x10000;			/* write_index */
	status = signal_event(CONN_CHAN(1));
	hex("vmbus: outbound write_index 0x00010000, HvSignalEvent 0x00002001 status ",
	    status);
	puts("\n");
	if (status)
		fail("HvSignalEvent on an open channel");
	/* the host masks the ring's interrupt while it reads */
	while (!hdr[2] && before(until))
		idle();
	if (!hdr[2])
		fail("the host never looked at the ring");
	line("the host looked (interrupt_mask set)\n");
	status = signal_event(CONN_CHAN(2));
	hex("vmbus: HvSignalEvent 0x00002002 (not open) status ", status);
	puts("\n");
	if (status != HV_STATUS_INVALID_CONNECTION_ID)
		fail("HvSignalEvent on a closed channel");
}

static void teardown(uint32_t relid, uint32_t handle)
{
	const struct vmbus_msg_gpadl_torndown *t;

	clear_out();
	out.teardown.header.msgtype = VMBUS_MSG_GPADL_TEARDOWN;
	out.teardown.child_relid = relid;
	out.teardown.gpadl = handle;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.teardown));
	if (handle == G_UNKNOWN) {
		quiet("GPADL_TEARDOWN of unknown GPADL 0x00000999");
		return;
	}
	t = &expect(VMBUS_MSG_GPADL_TORNDOWN, sizeof(*t),
		    "GPADL_TEARDOWN")->torndown;
	hex("vmbus: GPADL_TORNDOWN ", t->gpadl);
	puts("\n");
	if (t->gpadl != handle)
		fail("GPADL_TORNDOWN names another GPADL");
}

static void close_channel(uint32_t relid)
{
	clear_out();
	out.relid.header.msgtype = VMBUS_MSG_CLOSECHANNEL;
	out.relid.child_relid = relid;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.relid));
}

static void closed_check(const char *what)
{
	uint16_t status = signal_event(CONN_CHAN(1));

	line("HvSignalEvent 0x00002001 after ");
	puts(what);
	hex(": status ", status);
	puts("\n");
	if (status != HV_STATUS_INVALID_CONNECTION_ID)
		fail("a closed channel's connection");
}

static void close_and_garbage(void)
{
	close_channel(1);
	quiet("CLOSECHANNEL 1");
	close_channel(1);
	quiet("CLOSECHANNEL 1 again");
	teardown(1, G_RING);
	closed_check("close");
	teardown(1, G_UNKNOWN);

	post_type(19, sizeof(struct vmbus_msg_header));
	quiet("message type 19");
	post_type(99, sizeof(struct vmbus_msg_header));
	quiet("message type 99");
	post_type(VMBUS_MSG_INVALID, sizeof(struct vmbus_msg_header));
	quiet("message type 0");
	post_type(VMBUS_MSG_VERSION_RESPONSE, 16);
	quiet("VERSION_RESPONSE from the guest");
	post_type(VMBUS_MSG_REQUESTOFFERS, 4);
	quiet("a message of 4 bytes");
	post_type(VMBUS_MSG_OPENCHANNEL, 20);
	quiet("OPENCHANNEL of 20 bytes");
	post_type(VMBUS_MSG_GPADL_HEADER, sizeof(out.gpadl));
	quiet("GPADL_HEADER without a range");
	post_type(VMBUS_MSG_RELID_RELEASED, sizeof(out.relid));
	quiet("RELID_RELEASED");
	offers();
}

/* Again, on a clean ring; then its GPADL goes while the channel is open. */
static void reopen(void)
{
	clear_ring();
	fill_pfns((uint32_t)ring / 4096, RING_PAGES);
	gpadl_simple(1, G_RING2, RING_PAGES, 1, "4 ring pages again");
	if (open_channel(1, G_RING2, 0, 2, "after the broken ring"))
		fail("open after the broken ring");
	negotiate_packet();
	teardown(1, G_RING2);
	closed_check("teardown of its ring");
	close_channel(1);
	quiet("CLOSECHANNEL 1 after its ring's teardown");
}

static void unload(void)
{
	const struct rx_msg *m;

	post_type(VMBUS_MSG_UNLOAD, sizeof(struct vmbus_msg_header));
	expect(VMBUS_MSG_UNLOAD_RESPONSE, sizeof(struct vmbus_msg_header),
	       "UNLOAD");
	line("UNLOAD_RESPONSE\n");
	post_type(VMBUS_MSG_REQUESTOFFERS, sizeof(struct vmbus_msg_header));
	quiet("REQUESTOFFERS after unload");
	refused_contact(VMBUS_MESSAGE_CONNECTION_ID, 0x00090000, 0,
			" (no such version) after unload");
	m = contact(VMBUS_MESSAGE_CONNECTION_ID_4, VMBUS_VERSION_WIN10_V5_3,
		    0, SINT);
	if (m->version.version_supported != 1)
		fail("version 5.3 after unload");
	line("connected again with 5.3\n");
	/* the unload freed GPADL 0x300: its handle is free again */
	fill_pfns(SCRATCH_PFN, 1);
	gpadl_simple(2, G_BIG, 1, 1, "after unload");
	post_type(VMBUS_MSG_UNLOAD, sizeof(struct vmbus_msg_header));
	expect(VMBUS_MSG_UNLOAD_RESPONSE, sizeof(struct vmbus_msg_header),
	       "UNLOAD");
	line("UNLOAD_RESPONSE\n");
}

/* ---- fuzz --------------------------------------------------------------- */

#define FUZZ_MSGS	2000
#define FUZZ_RINGS	300
#define FUZZ_PFNS	64		/* from SCRATCH_PFN: never the image */
#define G_FUZZ_RING	0x600

static uint32_t fuzz_state = 0x2545f491;

static uint32_t rnd(void)
{
	/* xorshift32 */
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

static void put32(unsigned int off, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		out.b[off + i] = v >> (8 * i);
}

static void put64(unsigned int off, uint64_t v)
{
	put32(off, v);
	put32(off + 4, v >> 32);
}

/* A random control message in out: its length */
static unsigned int fuzz_message(void)
{
	static const uint8_t sizes[VMBUS_MSG_COUNT] = {
		[VMBUS_MSG_REQUESTOFFERS] = 8,
		[VMBUS_MSG_OPENCHANNEL] = sizeof(struct vmbus_msg_open_channel),
		[VMBUS_MSG_CLOSECHANNEL] = 12,
		[VMBUS_MSG_GPADL_HEADER] = 240,
		[VMBUS_MSG_GPADL_BODY] = 240,
		[VMBUS_MSG_GPADL_TEARDOWN] = 16,
		[VMBUS_MSG_RELID_RELEASED] = 12,
		[VMBUS_MSG_INITIATE_CONTACT] = sizeof(struct vmbus_msg_initiate_contact),
		[VMBUS_MSG_UNLOAD] = 8,
		[VMBUS_MSG_TL_CONNECT_REQUEST] = 40,
		[VMBUS_MSG_MODIFYCHANNEL] = 16,
	};
	uint32_t type, n, i, r = rnd();

	for (i = 0; i < sizeof(out.b); i++)
		out.b[i] = rnd();
	/* mostly the types the server takes, now and then any */
	type = r % 8 ? rnd() % VMBUS_MSG_COUNT : rnd();
	put32(0, type);
	put32(4, 0);
	/* a relid, a GPADL handle, a VP: mostly ones that exist */
	if (r & 0x10)
		put32(8, rnd() % 6);
	if (r & 0x20)
		put32(12, 0x10 + rnd() % 8);
	switch (type) {
	case VMBUS_MSG_INITIATE_CONTACT:
		/* answers to VP0, on SINT 2, mostly a version that exists */
		put32(8, r & 0x40 ? VMBUS_VERSION_WIN8 + rnd() % 2 :
		      VMBUS_VERSION_WIN10_V5 + rnd() % 5);
		put32(12, r & 0x80 ? 0 : rnd() % 3);
		out.b[16] = r & 0x100 ? SINT : rnd() % 16;
		break;
	case VMBUS_MSG_GPADL_HEADER:
		/* one range of n pages from SCRATCH_PFN, mostly well formed */
		n = 1 + rnd() % 40;
		put32(16, r & 0x400 ? 8 + 8 * n : rnd() % 400);	/* buflen */
		out.b[18] = r & 0x200 ? 1 : rnd() % 3;		/* rangecount */
		out.b[19] = 0;
		put32(20, r & 0x800 ? n * 4096 : rnd());
		put32(24, r & 0x1000 ? 0 : rnd() % 8192);
		for (i = 0; 28 + 8 * i + 8 <= sizeof(out.b); i++)
			put64(28 + 8 * i, SCRATCH_PFN + rnd() % FUZZ_PFNS);
		break;
	case VMBUS_MSG_GPADL_BODY:
		for (i = 0; 16 + 8 * i + 8 <= sizeof(out.b); i++)
			put64(16 + 8 * i, SCRATCH_PFN + rnd() % FUZZ_PFNS);
		break;
	case VMBUS_MSG_OPENCHANNEL:
		put32(16, rnd() % 2);			/* target_vp */
		put32(20, rnd() % 6);			/* downstream offset */
		break;
	case VMBUS_MSG_MODIFYCHANNEL:
		put32(12, rnd() % 2);
		break;
	}
	if (type < VMBUS_MSG_COUNT && sizes[type] && r & 0x2000)
		return sizes[type];
	return rnd() % (sizeof(out.b) + 1);
}

/* Random bytes and indices in the outbound ring of open relid 1 */
static void fuzz_ring(void)
{
	volatile uint32_t *hdr = (volatile uint32_t *)ring[0];
	unsigned int i, n = rnd() % 64;

	for (i = 0; i < n; i++)
		ring[1][rnd() % 4096] = rnd();
	if (rnd() % 4 == 0) {
		/* a packet descriptor that claims more or less than is there */
		ring[1][0] = VMBUS_PKT_DATA_INBAND;
		ring[1][2] = rnd() % 4;
		ring[1][4] = rnd();
		ring[1][5] = rnd() % 2;
	}
	hdr[0] = rnd() % 3 ? rnd() % 4096 & ~7u : rnd();	/* write_index */
	if (rnd() % 8 == 0)
		hdr[1] = rnd();					/* read_index */
	signal_event(CONN_CHAN(1));
}

/* The requests fuzz() makes while answers are thrown away */
static void contact_quiet(void)
{
	clear_out();
	out.contact.header.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	out.contact.version_requested = VMBUS_VERSION_WIN10_V5_3;
	out.contact.msg_sint = SINT;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.contact));
}

static void teardown_quiet(uint32_t relid, uint32_t handle)
{
	clear_out();
	out.teardown.header.msgtype = VMBUS_MSG_GPADL_TEARDOWN;
	out.teardown.child_relid = relid;
	out.teardown.gpadl = handle;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.teardown));
}

static void open_quiet(uint32_t relid, uint32_t handle)
{
	clear_out();
	out.open.header.msgtype = VMBUS_MSG_OPENCHANNEL;
	out.open.child_relid = relid;
	out.open.openid = ++openid;
	out.open.ringbuffer_gpadl = handle;
	out.open.downstream_ring_pageoffset = 2;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.open));
}

static void fuzz(void)
{
	unsigned int i, until, before_drop;
	const struct rx_msg *m;

	/* control messages, most on a connection; answers are thrown away */
	discard = 1;
	contact_quiet();
	for (i = 0; i < FUZZ_MSGS; i++) {
		/* connected again now and then: contacts and unloads reset */
		if (i % 16 == 0)
			contact_quiet();
		post(rnd() % 4 ? VMBUS_MESSAGE_CONNECTION_ID_4 :
		     VMBUS_MESSAGE_CONNECTION_ID, fuzz_message());
	}
	line("fuzz: ");
	putdec(FUZZ_MSGS);
	puts(" random control messages posted, ");
	putdec(dropped);
	puts(" answers so far\n");

	/* rings: relid 1 opened on a fresh connection, then noise */
	post_type(VMBUS_MSG_UNLOAD, sizeof(struct vmbus_msg_header));
	contact_quiet();
	clear_ring();
	fill_pfns((uint32_t)ring / 4096, RING_PAGES);
	for (i = 0; i < FUZZ_RINGS; i++) {
		if (i % 50 == 0) {
			close_channel(1);
			teardown_quiet(1, G_FUZZ_RING + i / 50 - 1);
			post(VMBUS_MESSAGE_CONNECTION_ID_4,
			     gpadl_build(1, G_FUZZ_RING + i / 50, RING_PAGES,
					 RING_PAGES));
			clear_ring();
			open_quiet(1, G_FUZZ_RING + i / 50);
		}
		fuzz_ring();
	}
	line("fuzz: ");
	putdec(FUZZ_RINGS);
	puts(" rounds of noise in an open ring\n");

	/* until the answers stop: 1 s without one */
	do {
		before_drop = dropped;
		until = ticks + HZ;
		while (before(until))
			idle();
	} while (dropped != before_drop);
	discard = 0;
	q_head = q_tail;
	q_lost = 0;

	/* the server is still there, and in order */
	post_type(VMBUS_MSG_UNLOAD, sizeof(struct vmbus_msg_header));
	expect(VMBUS_MSG_UNLOAD_RESPONSE, sizeof(struct vmbus_msg_header),
	       "UNLOAD after the fuzz");
	m = contact(VMBUS_MESSAGE_CONNECTION_ID_4, VMBUS_VERSION_WIN10_V5_3,
		    0, SINT);
	if (m->version.version_supported != 1)
		fail("version 5.3 after the fuzz");
	offers();
	line("fuzz: the server answers an unload, a contact and the offers\n");
	post_type(VMBUS_MSG_UNLOAD, sizeof(struct vmbus_msg_header));
	expect(VMBUS_MSG_UNLOAD_RESPONSE, sizeof(struct vmbus_msg_header),
	       "UNLOAD");
}

/* ---- rescind ("rescind" mode) ---------------------------------------- */

static void release(uint32_t relid)
{
	clear_out();
	out.relid.header.msgtype = VMBUS_MSG_RELID_RELEASED;
	out.relid.child_relid = relid;
	post(VMBUS_MESSAGE_CONNECTION_ID_4, sizeof(out.relid));
}

/* The host's offer of an hv_sock connection to @port: its relid. */
static uint32_t sock_offer(uint32_t port)
{
	const struct vmbus_msg_offer_channel *o;
	uint32_t got;

	line("waiting for an hv_sock offer, port ");
	putdec(port);
	puts("\n");
	o = &expect(VMBUS_MSG_OFFERCHANNEL, sizeof(*o), "hv_sock")->offer;
	got = o->offer.if_type.b[0] | o->offer.if_type.b[1] << 8 |
	      o->offer.if_type.b[2] << 16 | (uint32_t)o->offer.if_type.b[3] << 24;
	line("offer relid ");
	putdec(o->child_relid);
	puts(": port ");
	putdec(got);
	hex(", chn_flags ", o->offer.chn_flags);
	puts(o->offer.user_def[VMBUS_OFFER_PIPE_USER_DEF] == 1 ?
	     ", from the host\n" : ", from the guest\n");
	if (got != port || o->child_relid != SOCK_RELID ||
	    !(o->offer.chn_flags & VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER) ||
	    o->offer.user_def[VMBUS_OFFER_PIPE_USER_DEF] != 1)
		fail("hv_sock offer");
	return o->child_relid;
}

/* The host's FIN (a pipe packet of no bytes) in the inbound ring */
static void sock_fin(void)
{
	volatile const uint8_t *data = ring[3];
	unsigned int until = ticks + WAIT_TICKS;
	struct vmbus_pipe_hdr pipe;
	uint32_t write, off;

	while (!(write = rd32(ring[2])) && before(until))
		idle();
	off = rd16(data + 2) * 8;
	copy_in(&pipe, data + off, sizeof(pipe));
	line("inbound ring: packet type ");
	putdec(rd16(data));
	puts(", pipe flags ");
	putdec(pipe.flags);
	puts(", ");
	putdec(pipe.msgsize);
	puts(" bytes\n");
	if (!write || rd16(data) != VMBUS_PKT_DATA_INBAND || off != 16 ||
	    pipe.flags != 1 || pipe.msgsize)
		fail("the host's FIN");
}

/* An in-band packet of a pipe header with flags 7: not hv_sock data */
static void sock_garbage(uint32_t relid)
{
	volatile uint8_t *data = ring[1];
	struct vmbus_packet_desc d = {
		.type = VMBUS_PKT_DATA_INBAND,
		.offset8 = 2,
		.len8 = 3,
	};
	struct vmbus_pipe_hdr pipe = { .flags = 7, .msgsize = 0 };
	uint16_t status;
	unsigned int i;

	for (i = 0; i < sizeof(d); i++)
		data[i] = ((uint8_t *)&d)[i];
	for (i = 0; i < sizeof(pipe); i++)
		data[16 + i] = ((uint8_t *)&pipe)[i];
	for (i = 0; i < 8; i++)
		data[24 + i] = 0;		/* the trailer: index 0 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)ring[0] = 32;	/* write_index */
	status = signal_event(CONN_CHAN(relid));
	if (status)
		fail("HvSignalEvent on the hv_sock channel");
}

static void rescinded(uint32_t relid, const char *what)
{
	const struct rx_msg *m;
	struct vmbus_msg_relid r;

	m = expect(VMBUS_MSG_RESCIND_CHANNELOFFER, sizeof(r), what);
	copy_in(&r, m->b, sizeof(r));
	line("RESCIND_CHANNELOFFER relid ");
	putdec(r.child_relid);
	puts(" (");
	puts(what);
	puts(")\n");
	if (r.child_relid != relid)
		fail("the rescind names another relid");
}

static void rescinds(void)
{
	const struct rx_msg *m;
	uint32_t relid;

	m = contact(VMBUS_MESSAGE_CONNECTION_ID_4, VMBUS_VERSION_WIN10_V5_3,
		    0, SINT);
	if (m->version.version_supported != 1)
		fail("version 5.3");
	offers();
	/* nothing is rescinded yet: a release goes unanswered */
	release(1);
	quiet("RELID_RELEASED of relid 1, not rescinded");

	relid = sock_offer(SOCK_PORT);
	release(relid);
	quiet("RELID_RELEASED of the offer, not rescinded");
	fill_pfns((uint32_t)ring / 4096, RING_PAGES);
	gpadl_simple(relid, G_SOCK, RING_PAGES, 1, "hv_sock ring");
	if (open_channel(relid, G_SOCK, 0, 2, "hv_sock, accepted"))
		fail("the hv_sock open");
	/* hvctl connect's input is empty: the host's side ends at once */
	sock_fin();
	sock_garbage(relid);
	rescinded(relid, "after a packet that is not pipe data");
	refused_open(relid, G_SOCK, 0, 2, "rescinded");
	close_channel(relid);
	quiet("CLOSECHANNEL of the rescinded channel");
	release(relid);
	quiet("RELID_RELEASED of the rescinded channel");
	/* the relid is free: no channel to make a GPADL for */
	fill_pfns(SCRATCH_PFN, 1);
	gpadl_simple(relid, G_SOCK2, 1, 0, "for the released relid");
	/* the channel's GPADL went with it: its handle is free */
	gpadl_simple(1, G_SOCK, 1, 1, "handle 0x00000400 again");
	release(relid);
	quiet("RELID_RELEASED again");

	/* an offer nobody opens: the host takes it back */
	relid = sock_offer(SOCK_PORT2);
	rescinded(relid, "never opened");
	release(relid);
	quiet("RELID_RELEASED of the unopened channel");
}

void guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	uart_init();
	set_gate(idt, VEC_SINT, sint_isr);
	set_gate(idt, VEC_TIMER, timer_isr);
	load_idt(idt);
	lapic_write(LAPIC_SVR, 0x1ff);	/* enabled, spurious 0xff */
	lapic_write(LAPIC_TIMER_DCR, 0xa);	/* divide by 128 */
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, TICK_COUNT);

	setup(mbi);
	if ((mbi->flags & MB_INFO_CMDLINE) &&
	    has_word((const char *)mbi->cmdline, "rescind")) {
		rescinds();
		lapic_write(LAPIC_TIMER_ICR, 0);
		puts("vmbus: done\n");
		shutdown();
	}
	before_contact();
	connect();
	offers();
	held_slot();
	gpadls();
	opens();
	hostile_ring();
	close_and_garbage();
	reopen();
	unload();
	fuzz();
	lapic_write(LAPIC_TIMER_ICR, 0);
	puts("vmbus: done\n");
	shutdown();
}
