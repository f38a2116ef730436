// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the worker against the fake /dev/hvpart: partition setup,
 * boot states, IN/OUT completion, string I/O emulation in every address
 * size, and how each message ends (or continues) the run.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../cli.h"
#include "../libhvpart.h"
#include "../loader.h"
#include "../worker.h"
#include "fake_hvpart.h"
#include "test.h"

#define RAM_SIZE	(4ull << 20)

static struct worker w;
static struct worker_vp *vp0;
static int in_pipe[2], out_pipe[2];

static void teardown(void)
{
	worker_destroy(&w);
}

static void setup(void)
{
	struct worker_config cfg = {
		.ram_size = RAM_SIZE,
		.nr_vps = 1,
	};

	if (w.sys_fd > 0)
		teardown();
	if (!in_pipe[0] && (pipe2(in_pipe, O_NONBLOCK) ||
			    pipe2(out_pipe, O_NONBLOCK)))
		abort();
	cfg.in_fd = in_pipe[0];
	cfg.out_fd = out_pipe[1];
	fake_reset();
	worker_init(&w);
	CHECK_EQ(worker_setup(&w, &cfg), 0);
	vp0 = &w.vps[0];
}

/* Real mode at 0000:7c00, as the raw loader asks. */
static void setup_real_mode(void)
{
	struct boot_state bs = {
		.kind = BOOT_RAW, .ip = 0x7c00, .sp = 0x7c00, .dl = 0x80,
	};

	setup();
	CHECK_EQ(worker_boot_vp(&w, 0, &bs), 0);
	fake.set_regs_calls = 0;
}

static void setup_flat32(void)
{
	struct boot_state bs = {
		.kind = BOOT_MULTIBOOT, .entry = 0x100000, .mbi_addr = 0x1100,
		.gdt_base = 0x1000, .gdt_limit = 23,
	};

	setup();
	CHECK_EQ(worker_boot_vp(&w, 0, &bs), 0);
	fake.set_regs_calls = 0;
}

/* 64-bit mode: the state hvctl never sets but a guest may reach. */
static void setup_long_mode(void)
{
	setup_flat32();
	fake_set_seg(HVPART_REG_CS, 0, 0x18, 0xa09b);
	fake_set_reg(HVPART_REG_CR0, 0x80000011);
	fake_set_reg(HVPART_REG_EFER, 0x500);
}

static size_t drain(char *buf, size_t size)
{
	ssize_t n = read(out_pipe[0], buf, size - 1);

	n = n < 0 ? 0 : n;
	buf[n] = '\0';
	return n;
}

/* One RUN_VP and the port I/O answer to it. */
static int step_pio(void)
{
	CHECK_EQ(hvp_run(&vp0->vp), 0);
	CHECK_EQ(vp0->vp.run->msg.header.message_type,
		 HVPART_MSG_X64_IO_PORT_INTERCEPT);
	return pio_handle(vp0);
}

static struct hvpart_message *push_string(uint16_t port, bool out,
					  unsigned int size, bool rep,
					  const uint8_t *bytes, unsigned int n,
					  uint16_t exec_state)
{
	struct hvpart_message *m;

	m = fake_push_io(port, out, size | HVPART_IO_ACCESS_STRING_OP |
			 (rep ? HVPART_IO_ACCESS_REP_PREFIX : 0), 0, n);
	memcpy(m->u.io_port.instruction_bytes, bytes, n);
	m->u.io_port.instruction_byte_count = n;
	m->u.intercept.execution_state = exec_state;
	return m;
}

static void test_setup(void)
{
	setup();
	CHECK_EQ(fake.intercept.type, HVPART_INTERCEPT_TYPE_X64_IO_PORT);
	CHECK_EQ(fake.intercept.access_mask,
		 HVPART_INTERCEPT_ACCESS_MASK_READ |
		 HVPART_INTERCEPT_ACCESS_MASK_WRITE);
	CHECK_EQ(fake.intercept.first, 0);
	CHECK_EQ(fake.intercept.last, 0xffff);
	CHECK_EQ(fake.map.guest_pfn, 0);
	CHECK_EQ(fake.map.size, RAM_SIZE);
	CHECK_EQ(fake.map.userspace_addr, (uintptr_t)w.ram);
	CHECK_EQ(fake.map.flags, HVPART_MAP_READABLE | HVPART_MAP_WRITABLE |
		 HVPART_MAP_EXECUTABLE);
	CHECK_EQ(fake.max_vps_prop, 1);
	CHECK_EQ(w.nr_vps, 1);
	CHECK(w.vps[0].vp.run);
	CHECK(w.has_completion && w.has_translate);
}

static void test_setup_limits(void)
{
	struct worker_config cfg = {
		.ram_size = RAM_SIZE, .nr_vps = FAKE_MAX_VPS + 1,
		.in_fd = -1, .out_fd = -1,
	};

	teardown();
	fake_reset();
	worker_init(&w);
	CHECK(worker_setup(&w, &cfg) < 0);
	worker_destroy(&w);

	fake_reset();
	fake.caps[HVPART_CAP_IO_INTERCEPT] = 0;
	cfg.nr_vps = 1;
	worker_init(&w);
	CHECK(worker_setup(&w, &cfg) < 0);
	worker_destroy(&w);

	/* More than one VP needs the local APIC; with it, the flag is set. */
	fake_reset();
	cfg.nr_vps = 2;
	worker_init(&w);
	CHECK(worker_setup(&w, &cfg) < 0);
	worker_destroy(&w);
	CHECK_EQ(fake.nr_vps, 0);

	fake_reset();
	fake.caps[HVPART_CAP_LOCAL_APIC] = 1;
	worker_init(&w);
	CHECK_EQ(worker_setup(&w, &cfg), 0);
	CHECK_EQ(fake.create_flags, HVPART_CREATE_PARTITION_LOCAL_APIC);
	CHECK_EQ(fake.nr_vps, 2);
	CHECK_EQ(fake.max_vps_prop, 2);
	CHECK(w.vps[1].vp.run);
	CHECK_EQ(w.vps[1].vp.index, 1);
	CHECK(w.has_lapic);
	worker_destroy(&w);

	/* Without it, a partition as before. */
	fake_reset();
	cfg.nr_vps = 1;
	worker_init(&w);
	CHECK_EQ(worker_setup(&w, &cfg), 0);
	CHECK_EQ(fake.create_flags, 0);
	CHECK(!w.has_lapic);
	worker_destroy(&w);
}

static void test_boot_states(void)
{
	struct hvpart_x64_segment s;

	setup_flat32();
	s = fake_seg(HVPART_REG_CS);
	CHECK_EQ(s.attributes, 0xc09b);
	CHECK_EQ(s.base, 0);
	CHECK_EQ(s.limit, 0xffffffff);
	CHECK_EQ(s.selector, 0x08);
	s = fake_seg(HVPART_REG_SS);
	CHECK_EQ(s.attributes, 0xc093);
	CHECK_EQ(s.selector, 0x10);
	CHECK_EQ(fake_reg(HVPART_REG_CR0), 0x11);
	CHECK_EQ(fake_reg(HVPART_REG_CR4), 0);
	CHECK_EQ(fake_reg(HVPART_REG_EFER), 0);
	CHECK_EQ(fake_reg(HVPART_REG_RFLAGS), 2);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x100000);
	CHECK_EQ(fake_reg(HVPART_REG_RAX), 0x2badb002);
	CHECK_EQ(fake_reg(HVPART_REG_RBX), 0x1100);

	setup_real_mode();
	s = fake_seg(HVPART_REG_CS);
	CHECK_EQ(s.attributes, 0x009b);
	CHECK_EQ(s.selector, 0);
	CHECK_EQ(s.limit, 0xffff);
	s = fake_seg(HVPART_REG_DS);
	CHECK_EQ(s.attributes, 0x0093);
	CHECK_EQ(fake_reg(HVPART_REG_CR0), 0x10);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x7c00);
	CHECK_EQ(fake_reg(HVPART_REG_RSP), 0x7c00);
	CHECK_EQ(fake_reg(HVPART_REG_RDX), 0x80);
	CHECK_EQ(fake_reg(HVPART_REG_RAX), 0);
}

static void test_in_out_completion(void)
{
	struct hvpart_run *run;
	char buf[16];

	setup_real_mode();
	run = vp0->vp.run;
	fake_set_reg(HVPART_REG_RAX, 0xabcd1200);
	fake_push_io(0x3f8, true, 1, 'A', 1);		/* out %al, %dx */
	fake_push_io(0x3fd, false, 1, 0, 1);		/* in %dx, %al */
	fake_push_io(0x80, false, 4, 0, 2);		/* in $0x80, %eax */
	fake_push_io(0xf4, true, 1, 3, 2);		/* out %al, $0xf4 */

	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(run->completion, HVPART_RUN_COMPLETE_ADVANCE_RIP);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(run->completion, HVPART_RUN_COMPLETE_ADVANCE_RIP |
		 HVPART_RUN_COMPLETE_SET_RAX);
	CHECK_EQ(run->completion_rax, 0xabcd1260);	/* THRE | TEMT */
	fake_set_reg(HVPART_REG_RAX, 0xffffffff00000000ull);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	/* Unclaimed; a 32-bit IN zero-extends into RAX. */
	CHECK_EQ(run->completion_rax, 0xffffffff);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK(w.power.off);
	CHECK_EQ(w.power.status, 7);

	CHECK_EQ(drain(buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'A');
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x7c00 + 1 + 1 + 2);
	CHECK_EQ(fake.set_regs_calls, 0);	/* completions only */
}

/* The same, through the whole run loop. */
static void test_run_loop_debug_exit(void)
{
	char buf[16];

	setup_real_mode();
	fake_push_io(0x3f8, true, 1, 'h', 1);
	fake_push_io(0x3f8, true, 1, 'i', 1);
	fake_push_io(0xf4, true, 4, 0x10, 1);
	CHECK_EQ(worker_run_vp(&w, 0), 0x21);
	CHECK_EQ(drain(buf, sizeof(buf)), 2);
	CHECK(!strcmp(buf, "hi"));
}

static void test_no_completion_cap(void)
{
	setup_real_mode();
	w.has_completion = false;
	fake_set_reg(HVPART_REG_RAX, 0x1100);
	fake_push_io(0x3fc, false, 1, 0, 1);		/* MCR */
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(vp0->vp.run->completion, 0);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x7c01);
	CHECK_EQ(fake_reg(HVPART_REG_RAX), 0x1100 | UART_MCR_OUT2);
}

/* No instruction length in the message: hvctl decodes guest memory. */
static void test_decode_from_memory(void)
{
	static const uint8_t insns[] = {
		0xe6, 0x80,			/* out %al, $0x80 */
		0xf3, 0x6e,			/* rep outsb */
	};
	struct hvpart_message *m;
	char buf[8];

	setup_real_mode();
	memcpy(w.ram + 0x7c00, insns, sizeof(insns));
	fake_push_io(0x80, true, 1, 0, 0);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x7c02);

	memcpy(w.ram + 0x500, "ab", 2);
	fake_set_reg(HVPART_REG_RSI, 0x500);
	fake_set_reg(HVPART_REG_RCX, 2);
	m = push_string(0x3f8, true, 1, true, NULL, 0, 0);
	m->u.intercept.instruction_length = 0;
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x7c04);
	CHECK_EQ(drain(buf, sizeof(buf)), 2);
	CHECK(!strcmp(buf, "ab"));
}

static void test_rep_outsb_real_mode(void)
{
	static const uint8_t insn[] = { 0xf3, 0x6e };
	char buf[16];

	setup_real_mode();
	fake_set_seg(HVPART_REG_DS, 0x1000, 0x100, 0x93);
	fake_set_reg(HVPART_REG_RSI, 0x20);
	fake_set_reg(HVPART_REG_RCX, 5);
	memcpy(w.ram + 0x1020, "hello", 5);
	push_string(0x3f8, true, 1, true, insn, 2, 0);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(drain(buf, sizeof(buf)), 5);
	CHECK(!strcmp(buf, "hello"));
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 0x25);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 0);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x7c02);
	CHECK_EQ(vp0->vp.run->completion, 0);
	CHECK_EQ(fake.set_regs_calls, 1);
}

/* DF set, 16-bit SI wrapping below 0, upper RSI bits untouched. */
static void test_outsb_df_wrap16(void)
{
	static const uint8_t insn[] = { 0xf3, 0x6e };
	char buf[16];

	setup_real_mode();
	fake_set_seg(HVPART_REG_DS, 0x20000, 0x2000, 0x93);
	fake_set_reg(HVPART_REG_RSI, 0x12340001);
	fake_set_reg(HVPART_REG_RCX, 0xabcd0003);
	fake_set_reg(HVPART_REG_RFLAGS, 2 | HVP_RFLAGS_DF);
	w.ram[0x20001] = 'x';
	w.ram[0x20000] = 'y';
	w.ram[0x2ffff] = 'z';
	push_string(0x3f8, true, 1, true, insn, 2, 0);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(drain(buf, sizeof(buf)), 3);
	CHECK(!strcmp(buf, "xyz"));
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 0x1234fffe);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 0xabcd0000);
}

static void test_insb_from_uart(void)
{
	static const uint8_t insn[] = { 0xf3, 0x6c };

	setup_real_mode();
	fake_set_seg(HVPART_REG_ES, 0x3000, 0x300, 0x93);
	fake_set_reg(HVPART_REG_RDI, 0x10);
	fake_set_reg(HVPART_REG_RCX, 3);
	CHECK_EQ(write(in_pipe[1], "abc", 3), 3);
	push_string(0x3f8, false, 1, true, insn, 2, 0);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK(!memcmp(w.ram + 0x3010, "abc", 3));
	CHECK_EQ(fake_reg(HVPART_REG_RDI), 0x13);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 0);
}

/* A single INSW (no REP) leaves RCX alone. */
static void test_insw_no_rep(void)
{
	static const uint8_t insn[] = { 0x66, 0x6d };

	setup_flat32();
	fake_set_reg(HVPART_REG_RDI, 0x5000);
	fake_set_reg(HVPART_REG_RCX, 77);
	push_string(0x80, false, 2, false, insn, 2, HVPART_EXEC_STATE_CR0_PE);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(w.ram[0x5000], 0xff);
	CHECK_EQ(w.ram[0x5001], 0xff);
	CHECK_EQ(w.ram[0x5002], 0);
	CHECK_EQ(fake_reg(HVPART_REG_RDI), 0x5002);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 77);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x100002);
	CHECK_EQ(fake.translates, 0);		/* CR0.PG clear */
}

static void test_string_long_mode_paging(void)
{
	static const uint8_t insn[] = { 0xf3, 0x6e };
	static const uint8_t insn67[] = { 0x67, 0xf3, 0x6e };
	const uint16_t lma = HVPART_EXEC_STATE_CR0_PE |
			     HVPART_EXEC_STATE_EFER_LMA;
	char buf[16];

	setup_long_mode();
	fake.translate_offset = 0x100000;
	fake_set_seg(HVPART_REG_DS, 0x5000, 0x10, 0xc093); /* base ignored */
	fake_set_reg(HVPART_REG_RSI, 0xffe);	/* crosses a page */
	fake_set_reg(HVPART_REG_RCX, 4);
	memcpy(w.ram + 0x100ffe, "long", 4);
	push_string(0x3f8, true, 1, true, insn, 2, lma);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(drain(buf, sizeof(buf)), 4);
	CHECK(!strcmp(buf, "long"));
	CHECK(fake.translates >= 2);
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 0x1002);

	/* 0x67: 32-bit addresses in 64-bit mode; ESI zero-extends. */
	fake_set_reg(HVPART_REG_RSI, 0xffffffff00000010ull);
	fake_set_reg(HVPART_REG_RCX, 0x100000001ull);
	memcpy(w.ram + 0x100010, "!", 1);
	push_string(0x3f8, true, 1, true, insn67, 3, lma);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(drain(buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], '!');
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 0x11);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 0);
}

static void test_string_fs_override(void)
{
	static const uint8_t insn[] = { 0x64, 0x6e };	/* outsb %fs:(%rsi) */
	char buf[8];

	setup_long_mode();
	fake_set_seg(HVPART_REG_FS, 0x6000, 0, 0x93);
	fake_set_reg(HVPART_REG_RSI, 0x8);
	w.ram[0x6008] = 'f';
	push_string(0x3f8, true, 1, false, insn, 2,
		    HVPART_EXEC_STATE_CR0_PE | HVPART_EXEC_STATE_EFER_LMA);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(drain(buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'f');
	CHECK(fake.get_regs_calls >= 1);
}

static void test_string_faults(void)
{
	static const uint8_t insn[] = { 0x6e };

	/* The page is not present: no #PF injection yet, so it is fatal. */
	setup_long_mode();
	fake.translate_result = HVPART_TRANSLATE_GVA_PAGE_NOT_PRESENT;
	push_string(0x3f8, true, 1, false, insn, 1,
		    HVPART_EXEC_STATE_CR0_PE | HVPART_EXEC_STATE_EFER_LMA);
	CHECK_EQ(step_pio(), HVCTL_EXIT_EMULATION);

	/* Flat 32-bit, paging off, ESI beyond RAM. */
	setup_flat32();
	fake_set_reg(HVPART_REG_RSI, 0x7fff0000);
	push_string(0x3f8, true, 1, false, insn, 1, HVPART_EXEC_STATE_CR0_PE);
	CHECK_EQ(step_pio(), HVCTL_EXIT_EMULATION);
	CHECK(fake.get_regs_calls >= 1);	/* it read CR0 */

	/* Not an I/O instruction at all */
	setup_real_mode();
	push_string(0x3f8, true, 1, false, (const uint8_t *)"\x90", 1, 0);
	CHECK_EQ(step_pio(), HVCTL_EXIT_EMULATION);
}

/* A REP longer than one exit's share re-runs the instruction. */
static void test_rep_chunking(void)
{
	static const uint8_t insn[] = { 0xf3, 0x6e };

	setup_flat32();
	fake_set_reg(HVPART_REG_RSI, 0);
	fake_set_reg(HVPART_REG_RCX, 70000);
	push_string(0x80, true, 1, true, insn, 2, HVPART_EXEC_STATE_CR0_PE);
	push_string(0x80, true, 1, true, insn, 2, HVPART_EXEC_STATE_CR0_PE);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 70000 - 65536);
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 65536);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x100000);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(fake_reg(HVPART_REG_RCX), 0);
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 70000);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x100002);

	/* REP with RCX = 0 moves nothing and retires. */
	push_string(0x3f8, true, 1, true, insn, 2, HVPART_EXEC_STATE_CR0_PE);
	CHECK_EQ(step_pio(), WORKER_CONTINUE);
	CHECK_EQ(fake_reg(HVPART_REG_RSI), 70000);
	CHECK_EQ(fake_reg(HVPART_REG_RIP), 0x100004);
}

static void test_shutdown_by_rep_outsb(void)
{
	static const uint8_t insn[] = { 0xf3, 0x6e };

	setup_real_mode();
	memcpy(w.ram + 0x600, "Shutdown", 8);
	fake_set_reg(HVPART_REG_RSI, 0x600);
	fake_set_reg(HVPART_REG_RCX, 8);
	push_string(0x8900, true, 1, true, insn, 2, 0);
	CHECK_EQ(worker_run_vp(&w, 0), 0);
	CHECK(w.power.off);
}

static void test_messages(void)
{
	struct hvpart_message *m;

	setup_real_mode();
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_OK);	/* halts */

	setup_real_mode();
	fake_push(HVPART_MSG_UNRECOVERABLE_EXCEPTION);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_TRIPLE_FAULT);

	setup_real_mode();
	m = fake_push(HVPART_MSG_UNMAPPED_GPA);
	m->u.memory.guest_physical_address = 0xfee00000;
	m->u.memory.header.intercept_access_type =
		HVPART_INTERCEPT_ACCESS_WRITE;
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_BAD_GPA);

	setup_real_mode();
	fake_push(HVPART_MSG_GPA_INTERCEPT);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_BAD_GPA);

	setup_real_mode();
	m = fake_push(HVPART_MSG_HVPART_UNHANDLED_EXIT);
	m->u.unhandled.vendor = HVPART_VENDOR_SVM;
	m->u.unhandled.exit_code = 0x7b;
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_UNHANDLED);

	setup_real_mode();
	fake_push(HVPART_MSG_X64_MSR_INTERCEPT);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_EMULATION);
}

static char captured[16384];
static int saved_stderr = -1;

/* Sends what hvctl prints on stderr to captured[] until capture_end(). */
static void capture_start(void)
{
	int fd = memfd_create("stderr", 0);

	fflush(stderr);
	saved_stderr = dup(2);
	if (fd < 0 || saved_stderr < 0 || dup2(fd, 2) < 0)
		abort();
	close(fd);
}

static void capture_end(void)
{
	ssize_t n;

	fflush(stderr);
	n = pread(2, captured, sizeof(captured) - 1, 0);
	captured[n > 0 ? n : 0] = '\0';
	dup2(saved_stderr, 2);
	close(saved_stderr);
}

static int run_captured(void)
{
	int ret;

	capture_start();
	ret = worker_run_vp(&w, 0);
	capture_end();
	return ret;
}

static struct hvpart_guest_crash *push_crash(uint64_t ctl, uint64_t p3,
					     uint64_t p4)
{
	struct hvpart_guest_crash *c;

	c = &fake_push(HVPART_MSG_HVPART_GUEST_CRASH)->u.crash;
	c->crash_ctl = ctl;
	c->params[0] = 0x1122334455667788ull;
	c->params[1] = 1;
	c->params[2] = 0;
	c->params[3] = p3;
	c->params[4] = p4;
	return c;
}

#define NOTIFY		(1ull << 63)
#define NOTIFY_MSG	(1ull << 62)

static void test_guest_crash(void)
{
	static const char msg[] = "first\n\tsecond \x01\x7f\xff\r\nthird";
	static const char want_params[] =
		"hvctl: guest crash: P0=0x1122334455667788 P1=0x1 P2=0x0 P3=0x1000 P4=0x18\n";
	char *line;

	/* P0-P4 and the message, line by line, printable */
	setup_real_mode();
	memcpy(w.ram + 0x1000, msg, sizeof(msg) - 1);
	push_crash(NOTIFY | NOTIFY_MSG, 0x1000, sizeof(msg) - 1);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(strstr(captured, want_params));
	CHECK(strstr(captured, "hvctl: guest crash message: first\n"
			       "hvctl: guest crash message:  second ...\n"
			       "hvctl: guest crash message: third\n"));

	/* no message bit: no message */
	setup_real_mode();
	memcpy(w.ram + 0x1000, msg, sizeof(msg) - 1);
	push_crash(NOTIFY, 0x1000, sizeof(msg) - 1);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(strstr(captured, "guest crash: P0="));
	CHECK(!strstr(captured, "message"));

	/* a NUL ends it */
	setup_real_mode();
	memcpy(w.ram + 0x1000, "abc\0def", 7);
	push_crash(NOTIFY | NOTIFY_MSG, 0x1000, 7);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(strstr(captured, "guest crash message: abc\n"));
	CHECK(!strstr(captured, "def"));
	setup_real_mode();
	memcpy(w.ram + 0x1000, "abc\0", 4);
	push_crash(NOTIFY | NOTIFY_MSG, 0x1000, 5000);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(strstr(captured, "guest crash message: abc\n"));
	CHECK(!strstr(captured, "truncated"));

	/* at most 4096 bytes of it */
	setup_real_mode();
	memset(w.ram + 0x2000, 'x', 5000);
	push_crash(NOTIFY | NOTIFY_MSG, 0x2000, 5000);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	line = strstr(captured, "guest crash message: x");
	CHECK(line && strspn(line + 21, "x") == 4096);
	CHECK(strstr(captured, "truncated: 4096 of 5000 bytes shown"));

	/* outside guest RAM, or running off its end */
	setup_real_mode();
	push_crash(NOTIFY | NOTIFY_MSG, RAM_SIZE - 2, 4);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(strstr(captured, "4 bytes at GPA 0x3ffffe are not in guest RAM"));
	setup_real_mode();
	push_crash(NOTIFY | NOTIFY_MSG, ~0ull, ~0ull);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(strstr(captured, "not in guest RAM"));

	/* an empty message prints nothing */
	setup_real_mode();
	push_crash(NOTIFY | NOTIFY_MSG, 0x1000, 0);
	CHECK_EQ(run_captured(), HVCTL_EXIT_GUEST_CRASH);
	CHECK(!strstr(captured, "message"));
}

static void test_reset_and_idle(void)
{
	struct hvpart_message *m;

	setup_real_mode();
	fake_push(HVPART_MSG_HVPART_RESET);
	CHECK_EQ(run_captured(), HVCTL_EXIT_RESET);
	CHECK(strstr(captured, "hvctl: guest requested a reset\n"));

	/* a read of GUEST_IDLE is a halt with access type READ */
	setup_real_mode();
	m = fake_push(HVPART_MSG_X64_HALT);
	m->u.intercept.intercept_access_type = HVPART_INTERCEPT_ACCESS_READ;
	hvctl_verbose = true;
	CHECK_EQ(run_captured(), HVCTL_EXIT_OK);
	hvctl_verbose = false;
	CHECK(strstr(captured, "VP0 halted (GUEST_IDLE MSR) at RIP"));
}

/* Last: the signal flag stays set for the life of the process. */
static void test_sigint(void)
{
	setup_real_mode();
	fake_push_io(0x3f8, true, 1, '.', 1);
	worker_catch_signals(&w);
	raise(SIGINT);
	CHECK_EQ(vp0->vp.run->immediate_exit, 1);
	CHECK_EQ(worker_run_vp(&w, 0), HVCTL_EXIT_SIGINT);
	signal(SIGINT, SIG_DFL);
}

int main(void)
{
	setenv("HVPART_DEVICE", "/dev/null", 1);
	TEST(test_setup);
	TEST(test_setup_limits);
	TEST(test_boot_states);
	TEST(test_in_out_completion);
	TEST(test_run_loop_debug_exit);
	TEST(test_no_completion_cap);
	TEST(test_decode_from_memory);
	TEST(test_rep_outsb_real_mode);
	TEST(test_outsb_df_wrap16);
	TEST(test_insb_from_uart);
	TEST(test_insw_no_rep);
	TEST(test_string_long_mode_paging);
	TEST(test_string_fs_override);
	TEST(test_string_faults);
	TEST(test_rep_chunking);
	TEST(test_shutdown_by_rep_outsb);
	TEST(test_messages);
	TEST(test_guest_crash);
	TEST(test_reset_and_idle);
	TEST(test_sigint);
	teardown();
	return test_done();
}
