// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the interrupt path: the I/O APIC's register file and
 * routing (edge, level, masks, Remote IRR and EOI), guest MMIO to it
 * through unmapped-GPA messages of the fake /dev/hvpart (decoded from
 * the message or from guest memory), COM1's interrupt on pin 4, and the
 * masked 8259s.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "../ioapic.h"
#include "../loader.h"
#include "../worker.h"
#include "fake_hvpart.h"
#include "test.h"

#define RAM_SIZE	(4ull << 20)

/* The I/O APIC alone: what it would deliver. */
static struct hvpart_assert_interrupt sent[16];
static unsigned int nr_sent;
static int deliver_ret;

static int record(struct ioapic *io, const struct hvpart_assert_interrupt *ai)
{
	(void)io;
	if (!deliver_ret && nr_sent < 16)
		sent[nr_sent++] = *ai;
	return deliver_ret;
}

static struct ioapic io;

static void reg_write(uint8_t reg, uint32_t v)
{
	io.dev.ops->write(&io.dev, IOAPIC_REGSEL, 4, reg);
	io.dev.ops->write(&io.dev, IOAPIC_WINDOW, 4, v);
}

static uint32_t reg_read(uint8_t reg)
{
	io.dev.ops->write(&io.dev, IOAPIC_REGSEL, 4, reg);
	return io.dev.ops->read(&io.dev, IOAPIC_WINDOW, 4);
}

static void fresh(void)
{
	ioapic_init(&io, record);
	nr_sent = 0;
	deliver_ret = 0;
}

static void test_registers(void)
{
	unsigned int pin;

	fresh();
	CHECK_EQ(reg_read(IOAPIC_REG_VERSION), 0x00170011);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0);
	reg_write(IOAPIC_REG_ID, 0xfa000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0x0a000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 0x0a000000);
	reg_write(IOAPIC_REG_VERSION, 0);		/* read-only */
	CHECK_EQ(reg_read(IOAPIC_REG_VERSION), 0x00170011);
	reg_write(IOAPIC_REG_ARB, 0);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 0x0a000000);

	/* Every entry starts masked; writable bits only. */
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		CHECK_EQ(reg_read(0x10 + 2 * pin), 0x00010000);
	reg_write(0x10, 0xffffffff);
	CHECK_EQ(reg_read(0x10), 0x0001afff);	/* not DELIVS, Remote IRR */
	reg_write(0x11, 0xffffffff);
	CHECK_EQ(reg_read(0x11), 0xff000000);
	reg_write(0x10 + 2 * 23 + 1, 0x12345678);
	CHECK_EQ(reg_read(0x10 + 2 * 23 + 1), 0x12000000);
	/* Beyond pin 23 and unknown indices: 0, and writes do nothing. */
	reg_write(0x40, 0xffffffff);
	CHECK_EQ(reg_read(0x40), 0);
	CHECK_EQ(reg_read(0x03), 0);
	CHECK_EQ(reg_read(0xff), 0);

	/* IOREGSEL reads back; narrow accesses; other offsets read 0. */
	io.dev.ops->write(&io.dev, IOAPIC_REGSEL, 1, 0x01);
	CHECK_EQ(io.dev.ops->read(&io.dev, IOAPIC_REGSEL, 4), 1);
	CHECK_EQ(io.dev.ops->read(&io.dev, IOAPIC_WINDOW + 2, 1), 0x17);
	CHECK_EQ(io.dev.ops->read(&io.dev, IOAPIC_WINDOW, 2), 0x0011);
	io.dev.ops->write(&io.dev, IOAPIC_REGSEL, 4, 0x12);
	io.dev.ops->write(&io.dev, IOAPIC_WINDOW + 1, 1, 0x80);	/* level */
	CHECK_EQ(reg_read(0x12), 0x00018000);
	CHECK_EQ(io.dev.ops->read(&io.dev, 0x20, 4), 0);
	CHECK_EQ(io.dev.ops->read(&io.dev, 0xffc, 4), 0);
	io.dev.ops->write(&io.dev, 0x40, 4, 0x30);	/* no EOI register */
	CHECK_EQ(nr_sent, 0);
}

static void test_edge(void)
{
	fresh();
	ioapic_set_irq(&io, 4, true);		/* masked: lost */
	ioapic_set_irq(&io, 4, false);
	CHECK_EQ(nr_sent, 0);
	reg_write(0x11 + 8, 0x03000000);	/* pin 4: APIC ID 3 */
	reg_write(0x10 + 8, 0x24);		/* fixed, edge, physical */
	CHECK_EQ(nr_sent, 0);
	ioapic_set_irq(&io, 4, true);
	ioapic_set_irq(&io, 4, true);		/* no new edge */
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(sent[0].type, HVPART_INTERRUPT_TYPE_FIXED);
	CHECK_EQ(sent[0].vector, 0x24);
	CHECK_EQ(sent[0].destination, 3);
	CHECK_EQ(sent[0].flags, 0);
	CHECK_EQ(sent[0].rsvd, 0);
	ioapic_set_irq(&io, 4, false);
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(nr_sent, 2);
	/* An edge's EOI changes nothing; Remote IRR stays clear. */
	ioapic_eoi(&io, 0x24);
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(reg_read(0x10 + 8) & IOAPIC_RTE_REMOTE_IRR, 0);

	/* Lowest priority, logical destination. */
	reg_write(0x10 + 8, 0x0931);
	ioapic_set_irq(&io, 4, false);
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(nr_sent, 3);
	CHECK_EQ(sent[2].type, HVPART_INTERRUPT_TYPE_LOWEST_PRIORITY);
	CHECK_EQ(sent[2].flags, HVPART_INTERRUPT_LOGICAL_DEST);
	CHECK_EQ(sent[2].vector, 0x31);

	/* Pins past 23 are ignored. */
	ioapic_set_irq(&io, 24, true);
	ioapic_set_irq(&io, 1000, true);
	CHECK_EQ(nr_sent, 3);
}

static void test_level(void)
{
	fresh();
	reg_write(0x10 + 2 * 9, 0x18029);	/* pin 9: level, masked */
	ioapic_set_irq(&io, 9, true);
	CHECK_EQ(nr_sent, 0);			/* held while masked */
	reg_write(0x10 + 2 * 9, 0x8029);	/* unmask: sent now */
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(sent[0].flags, HVPART_INTERRUPT_LEVEL_TRIGGERED);
	CHECK_EQ(sent[0].vector, 0x29);
	CHECK(reg_read(0x10 + 2 * 9) & IOAPIC_RTE_REMOTE_IRR);
	/* Remote IRR holds it until the EOI of its vector. */
	ioapic_set_irq(&io, 9, true);
	ioapic_eoi(&io, 0x28);
	CHECK_EQ(nr_sent, 1);
	ioapic_eoi(&io, 0x29);			/* still asserted: again */
	CHECK_EQ(nr_sent, 2);
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x29);			/* deasserted: done */
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(reg_read(0x10 + 2 * 9) & IOAPIC_RTE_REMOTE_IRR, 0);

	/* A refused delivery leaves Remote IRR clear, to retry later. */
	deliver_ret = -ENXIO;
	ioapic_set_irq(&io, 9, true);
	CHECK_EQ(reg_read(0x10 + 2 * 9) & IOAPIC_RTE_REMOTE_IRR, 0);
	CHECK_EQ(io.dropped, 1);
	deliver_ret = 0;
	ioapic_eoi(&io, 0x29);
	CHECK_EQ(nr_sent, 3);

	/* Switching to edge clears Remote IRR. */
	reg_write(0x10 + 2 * 9, 0x0029);
	CHECK_EQ(reg_read(0x10 + 2 * 9) & IOAPIC_RTE_REMOTE_IRR, 0);
}

static void test_delivery_modes(void)
{
	fresh();
	reg_write(0x10, 0x0400);		/* NMI */
	ioapic_set_irq(&io, 0, true);
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(sent[0].type, HVPART_INTERRUPT_TYPE_NMI);
	CHECK_EQ(sent[0].vector, 0);
	reg_write(0x10, 0x0500);		/* INIT */
	ioapic_set_irq(&io, 0, false);
	ioapic_set_irq(&io, 0, true);
	CHECK_EQ(sent[1].type, HVPART_INTERRUPT_TYPE_INIT);
	/* SMI, ExtINT, reserved and fixed vectors below 16: nothing */
	reg_write(0x10, 0x0230);
	ioapic_set_irq(&io, 0, false);
	ioapic_set_irq(&io, 0, true);
	reg_write(0x10, 0x0730);
	ioapic_set_irq(&io, 0, false);
	ioapic_set_irq(&io, 0, true);
	reg_write(0x10, 0x0330);
	ioapic_set_irq(&io, 0, false);
	ioapic_set_irq(&io, 0, true);
	reg_write(0x10, 0x000f);
	ioapic_set_irq(&io, 0, false);
	ioapic_set_irq(&io, 0, true);
	CHECK_EQ(nr_sent, 2);
	CHECK_EQ(io.dropped, 4);
}

/* The worker, with the local APIC, against the fake /dev/hvpart. */
static struct worker w;
static int in_pipe[2], out_pipe[2];

static void setup(bool lapic)
{
	struct worker_config cfg = { .ram_size = RAM_SIZE, .nr_vps = 1 };
	struct boot_state bs = {
		.kind = BOOT_MULTIBOOT, .entry = 0x100000, .mbi_addr = 0x1100,
		.gdt_base = 0x1000, .gdt_limit = 23,
	};

	if (w.sys_fd > 0)
		worker_destroy(&w);
	if (!in_pipe[0] && (pipe2(in_pipe, O_NONBLOCK) ||
			    pipe2(out_pipe, O_NONBLOCK)))
		abort();
	cfg.in_fd = in_pipe[0];
	cfg.out_fd = out_pipe[1];
	fake_reset();
	fake.caps[HVPART_CAP_LOCAL_APIC] = lapic;
	worker_init(&w);
	CHECK_EQ(worker_setup(&w, &cfg), 0);
	CHECK_EQ(worker_boot_vp(&w, 0, &bs), 0);
}

/* An MMIO access of the 32-bit flat guest, with or without its bytes. */
static struct hvpart_message *push_mmio(uint64_t gpa, bool write,
					const uint8_t *insn, unsigned int n,
					bool in_msg)
{
	struct hvpart_message *m = fake_push(HVPART_MSG_UNMAPPED_GPA);

	m->u.memory.guest_physical_address = gpa;
	m->u.memory.header.intercept_access_type = write ?
		HVPART_INTERCEPT_ACCESS_WRITE : HVPART_INTERCEPT_ACCESS_READ;
	m->u.memory.header.execution_state = HVPART_EXEC_STATE_CR0_PE;
	if (in_msg) {
		memcpy(m->u.memory.instruction_bytes, insn, n);
		m->u.memory.instruction_byte_count = n;
	}
	return m;
}

/* The guest programs pin 4 and reads the version, through MMIO. */
static void test_mmio(void)
{
	/* mov dword [0xfec00000], 0x18 */
	static const uint8_t sel[] = { 0xc7, 0x05, 0x00, 0x00, 0xc0, 0xfe,
				       0x18, 0x00, 0x00, 0x00 };
	/* mov [0xfec00010], ecx */
	static const uint8_t win_w[] = { 0x89, 0x0d, 0x10, 0x00, 0xc0, 0xfe };
	/* movzx eax, byte [0xfec00012] */
	static const uint8_t win_b[] = { 0x0f, 0xb6, 0x05, 0x12, 0x00, 0xc0,
					 0xfe };
	/* mov edx, [ebx+0x10] */
	static const uint8_t win_r[] = { 0x8b, 0x53, 0x10 };

	setup(true);
	fake_set_reg(HVPART_REG_RCX, 0x8035);	/* level, vector 0x35 */
	fake_set_reg(HVPART_REG_RBX, 0xfec00000);
	fake_set_reg(HVPART_REG_RAX, 0xffffffffffffffffull);
	push_mmio(0xfec00000, true, sel, sizeof(sel), true);
	push_mmio(0xfec00010, true, win_w, sizeof(win_w), true);
	push_mmio(0xfec00012, false, win_b, sizeof(win_b), true);
	/* from guest memory at CS:RIP this time */
	memcpy(w.ram + 0x100000 + sizeof(sel) + sizeof(win_w) + sizeof(win_b),
	       win_r, sizeof(win_r));
	push_mmio(0xfec00010, false, win_r, sizeof(win_r), false);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_OK);
	CHECK_EQ(w.ioapic.regsel, 0x18);
	CHECK_EQ(w.ioapic.rte[4], 0x8035);
	CHECK_EQ(fake_reg(HVPART_REG_RAX), 0);	/* byte 2 of 0x8035, zx */
	CHECK_EQ(fake_reg(HVPART_REG_RDX), 0x8035);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x100000 + sizeof(sel) +
		 sizeof(win_w) + sizeof(win_b) + sizeof(win_r));
}

static void test_mmio_refused(void)
{
	static const uint8_t add[] = { 0x01, 0x05, 0x00, 0x00, 0xc0, 0xfe };
	static const uint8_t load[] = { 0x8b, 0x05, 0x00, 0x00, 0xc0, 0xfe };
	struct hvpart_message *m;

	setup(true);
	push_mmio(0xfec00000, true, add, sizeof(add), true);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_EMULATION);

	setup(true);
	push_mmio(0xfec00000, true, load, sizeof(load), true);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_EMULATION);

	setup(true);
	m = push_mmio(0xfec00000, false, load, sizeof(load), true);
	m->u.memory.header.intercept_access_type =
		HVPART_INTERCEPT_ACCESS_EXECUTE;
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_EMULATION);

	/* Truncated bytes in the message: not guessed at. */
	setup(true);
	push_mmio(0xfec00000, false, load, 3, true);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_EMULATION);

	/* Past the I/O APIC's page: no device there. */
	setup(true);
	push_mmio(0xfec01000, false, load, sizeof(load), true);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_BAD_GPA);

	/* A dword at its last byte: the device does not hold it all. */
	setup(true);
	fake_set_reg(HVPART_REG_RAX, 5);
	push_mmio(0xfec00ffe, false, load, sizeof(load), true);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_OK);
	CHECK_EQ(fake_reg(HVPART_REG_RAX), 0xffffffff);
}

/* COM1's interrupt goes to pin 4, and out through ASSERT_INTERRUPT. */
static void test_com1_pin4(void)
{
	struct hvpart_message *m;

	setup(true);
	w.ioapic.rte[4] = 0x01000000000000ull << 8 | 0x24;	/* to APIC 1 */
	port_bus_write(&w.bus, COM1_BASE + UART_IER, 1, UART_IER_THRI);
	CHECK_EQ(fake.nr_asserts, 1);
	CHECK_EQ(fake.asserts[0].vector, 0x24);
	CHECK_EQ(fake.asserts[0].destination, 1);
	CHECK(w.com1.irq_level);
	CHECK_EQ(port_bus_read(&w.bus, COM1_BASE + UART_IIR, 1) & 0xf,
		 UART_IIR_THRI);
	CHECK(!w.com1.irq_level);		/* acknowledged */
	/* OUT2 clear: no interrupt line, as on a PC */
	port_bus_write(&w.bus, COM1_BASE + UART_MCR, 1, 0);
	port_bus_write(&w.bus, COM1_BASE + UART_THR, 1, 'x');
	CHECK(!w.com1.irq_level);
	CHECK_EQ(fake.nr_asserts, 1);
	port_bus_write(&w.bus, COM1_BASE + UART_MCR, 1, UART_MCR_OUT2);
	CHECK(w.com1.irq_level);
	CHECK_EQ(fake.nr_asserts, 2);
	port_bus_write(&w.bus, COM1_BASE + UART_IER, 1, 0);
	CHECK(!w.com1.irq_level);

	/* Received data, level-triggered: held until EOI, then again. */
	w.ioapic.rte[4] = IOAPIC_RTE_LEVEL | 0x25;
	port_bus_write(&w.bus, COM1_BASE + UART_IER, 1, UART_IER_RDI);
	CHECK(uart16550_wants_input(&w.com1));
	CHECK_EQ(write(in_pipe[1], "ab", 2), 2);
	uart16550_poll_input(&w.com1);
	CHECK_EQ(fake.nr_asserts, 3);
	CHECK_EQ(fake.asserts[2].flags, HVPART_INTERRUPT_LEVEL_TRIGGERED);
	CHECK(!uart16550_wants_input(&w.com1));
	m = fake_push(HVPART_MSG_X64_APIC_EOI);
	m->u.apic_eoi.interrupt_vector = 0x25;
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_OK);	/* then halts */
	CHECK_EQ(fake.nr_asserts, 4);		/* RBR still full */
	CHECK_EQ(port_bus_read(&w.bus, COM1_BASE + UART_RBR, 1), 'a');
	CHECK(!w.com1.irq_level);
	CHECK(uart16550_wants_input(&w.com1));
	CHECK(w.ioapic.rte[4] & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi(&w.ioapic, 0x25);
	CHECK_EQ(fake.nr_asserts, 4);		/* line is down */
}

/* Without the local APIC nothing is asserted, and halts end the run. */
static void test_no_lapic(void)
{
	setup(false);
	CHECK(!w.com1.irq_set);
	w.ioapic.rte[4] = 0x24;
	ioapic_set_irq(&w.ioapic, 4, true);
	CHECK_EQ(fake.nr_asserts, 0);
	CHECK_EQ(w.ioapic.dropped, 1);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_OK);
}

static void test_pic(void)
{
	setup(true);
	port_bus_write(&w.bus, 0x20, 1, 0x11);		/* ICW1 */
	port_bus_write(&w.bus, 0x21, 1, 0x20);		/* ICW2 */
	port_bus_write(&w.bus, 0x21, 1, 0x00);		/* OCW1: unmask */
	CHECK_EQ(port_bus_read(&w.bus, 0x21, 1), 0xff);
	CHECK_EQ(port_bus_read(&w.bus, 0xa1, 1), 0xff);
	CHECK_EQ(port_bus_read(&w.bus, 0x20, 1), 0);
	CHECK_EQ(port_bus_read(&w.bus, 0xa0, 1), 0);
	CHECK_EQ(port_bus_read(&w.bus, 0x20, 2), 0xff00);
}

/* Two VP threads on the local APIC: how the run ends. */
static void test_smp_run(void)
{
	struct worker_config cfg = {
		.ram_size = RAM_SIZE, .nr_vps = 2, .in_fd = -1, .out_fd = -1,
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (w.sys_fd > 0)
			worker_destroy(&w);
		fake_reset();
		fake.caps[HVPART_CAP_LOCAL_APIC] = 1;
		worker_init(&w);
		CHECK_EQ(worker_setup(&w, &cfg), 0);
		worker_catch_signals(&w);
		if (i == 0) {
			/* Both halt with interrupts off: the run is over. */
			CHECK_EQ(worker_run(&w), HVCTL_EXIT_OK);
			CHECK_EQ(w.nr_halted, 2);
		} else {
			/* One triple faults: the halted one is stopped too. */
			fake_push(HVPART_MSG_UNRECOVERABLE_EXCEPTION);
			CHECK_EQ(worker_run(&w), HVCTL_EXIT_TRIPLE_FAULT);
			CHECK(w.stopping);
		}
		CHECK(!w.vps[1].has_thread);
		CHECK(fake.runs >= 1);
	}
	signal(WORKER_KICK_SIGNAL, SIG_DFL);
}

int main(void)
{
	setenv("HVPART_DEVICE", "/dev/null", 1);
	TEST(test_registers);
	TEST(test_edge);
	TEST(test_level);
	TEST(test_delivery_modes);
	TEST(test_mmio);
	TEST(test_mmio_refused);
	TEST(test_com1_pin4);
	TEST(test_no_lapic);
	TEST(test_pic);
	TEST(test_smp_run);
	return test_done();
}
