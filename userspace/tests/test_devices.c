// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the port I/O devices: the 16550A UART wired to pipes,
 * isa-debug-exit, the Bochs shutdown port and the bus.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../devices.h"
#include "../fwcfg.h"
#include "test.h"

static struct port_bus bus;
static struct uart16550 uart;
static struct debug_exit dexit;
static struct bochs_shutdown sd;
static struct power_ctl power;
static int in_pipe[2], out_pipe[2];

static void setup(void)
{
	memset(&bus, 0, sizeof(bus));
	memset(&power, 0, sizeof(power));
	if (in_pipe[0]) {
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
	}
	if (pipe(in_pipe) || pipe2(out_pipe, O_NONBLOCK))
		abort();
	uart16550_init(&uart, COM1_BASE, in_pipe[0], out_pipe[1]);
	debug_exit_init(&dexit, &power);
	bochs_shutdown_init(&sd, &power);
	CHECK_EQ(port_bus_add(&bus, &uart.dev), 0);
	CHECK_EQ(port_bus_add(&bus, &dexit.dev), 0);
	CHECK_EQ(port_bus_add(&bus, &sd.dev), 0);
}

static uint8_t rd(uint16_t off)
{
	return port_bus_read(&bus, COM1_BASE + off, 1);
}

static void wr(uint16_t off, uint8_t v)
{
	port_bus_write(&bus, COM1_BASE + off, 1, v);
}

static void test_bus(void)
{
	struct pio_device clash = {
		.name = "clash", .base = 0x3fc, .nr_ports = 8,
		.ops = uart.dev.ops,
	};
	struct pio_device wrap = {
		.name = "wrap", .base = 0xfffe, .nr_ports = 4,
		.ops = uart.dev.ops,
	};

	setup();
	CHECK_EQ(port_bus_add(&bus, &clash), -EBUSY);
	CHECK_EQ(port_bus_add(&bus, &wrap), -EINVAL);
	CHECK(port_bus_find(&bus, 0x3f8) == &uart.dev);
	CHECK(port_bus_find(&bus, 0x3ff) == &uart.dev);
	CHECK(!port_bus_find(&bus, 0x400));
	/* Unclaimed ports read as all ones and take writes silently. */
	CHECK_EQ(port_bus_read(&bus, 0x80, 1), 0xff);
	CHECK_EQ(port_bus_read(&bus, 0x80, 2), 0xffff);
	CHECK_EQ(port_bus_read(&bus, 0xcfc, 4), 0xffffffff);
	port_bus_write(&bus, 0x80, 1, 0x12);
	CHECK(!power.off);
}

static void test_uart_transmit(void)
{
	char buf[16];
	ssize_t n;

	setup();
	CHECK_EQ(rd(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
		 UART_LSR_THRE | UART_LSR_TEMT);
	wr(UART_THR, 'o');
	wr(UART_THR, 'k');
	wr(UART_THR, '\n');
	n = read(out_pipe[0], buf, sizeof(buf));
	CHECK_EQ(n, 3);
	CHECK(!memcmp(buf, "ok\n", 3));
	CHECK_EQ(rd(UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
}

static void test_uart_receive(void)
{
	setup();
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(write(in_pipe[1], "xy", 2), 2);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);	/* stays */
	CHECK_EQ(rd(UART_RBR), 'x');
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(rd(UART_RBR), 'y');
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(rd(UART_RBR), 0);		/* nothing there: no block */

	/* End of input: no data, ever again, and no busy loop on it. */
	close(in_pipe[1]);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK(uart.in_eof);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	in_pipe[1] = open("/dev/null", O_WRONLY);
}

static void test_uart_registers(void)
{
	setup();
	/* Divisor latch behind DLAB, IER in front of it. */
	wr(UART_IER, 0x05);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x00);
	CHECK_EQ(rd(UART_DLL), 0x01);
	CHECK_EQ(rd(UART_DLM), 0x00);
	wr(UART_LCR, 0x03);
	CHECK_EQ(rd(UART_LCR), 0x03);
	CHECK_EQ(rd(UART_IER), 0x05);
	wr(UART_SCR, 0x5a);
	CHECK_EQ(rd(UART_SCR), 0x5a);
	wr(UART_MCR, 0x0b);
	CHECK_EQ(rd(UART_MCR), 0x0b);
	CHECK_EQ(rd(UART_MSR) & 0xb0, 0xb0);	/* DCD, DSR, CTS */

	/* IIR: FIFO bits follow FCR; nothing pending without IER bits. */
	wr(UART_IER, 0);
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	wr(UART_FCR, 0x07);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);

	/* THRI: raised by enabling it, acknowledged by reading IIR. */
	wr(UART_IER, UART_IER_THRI);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	wr(UART_THR, '.');
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);

	/* RDI outranks THRI. */
	wr(UART_IER, UART_IER_RDI | UART_IER_THRI);
	CHECK_EQ(write(in_pipe[1], "z", 1), 1);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	CHECK_EQ(rd(UART_RBR), 'z');
}

/* A word access to the byte-wide UART is two byte accesses. */
static void test_uart_wide_access(void)
{
	char buf[4];

	setup();
	port_bus_write(&bus, COM1_BASE + UART_THR, 2, 0x0241);
	CHECK_EQ(read(out_pipe[0], buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'A');
	CHECK_EQ(uart.ier, 0x02);
	CHECK_EQ(port_bus_read(&bus, COM1_BASE + UART_LSR, 2),
		 (0xb0 << 8) | UART_LSR_THRE | UART_LSR_TEMT);
	/* the part past the UART reads as unclaimed */
	CHECK_EQ(port_bus_read(&bus, COM1_BASE + UART_SCR, 2), 0xff00);
}

static void test_uart_loopback(void)
{
	char c;

	setup();
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT2);
	CHECK_EQ(rd(UART_MSR), UART_MSR_DSR | UART_MSR_DCD);
	wr(UART_THR, 0xa5);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(rd(UART_RBR), 0xa5);
	CHECK(read(out_pipe[0], &c, 1) < 0);	/* nothing went out */
	wr(UART_MCR, 0);
}

static void test_debug_exit(void)
{
	setup();
	port_bus_write(&bus, 0xf4, 1, 0);
	CHECK(power.off);
	CHECK_EQ(power.status, 1);

	setup();
	port_bus_write(&bus, 0xf4, 4, 0x10);
	CHECK_EQ(power.status, 0x21);

	setup();
	port_bus_write(&bus, 0xf6, 2, 0x7f);
	CHECK_EQ(power.status, 0xff);
}

static void send(const char *s)
{
	for (; *s; s++)
		port_bus_write(&bus, BOCHS_SHUTDOWN_PORT, 1, *s);
}

static void test_shutdown(void)
{
	setup();
	send("Shutdow");
	CHECK(!power.off);
	send("n");
	CHECK(power.off);
	CHECK_EQ(power.status, 0);

	/* A broken sequence starts over; an 'S' starts a new one. */
	setup();
	send("ShutXdown");
	CHECK(!power.off);
	send("SShutdown");
	CHECK(power.off);

	setup();
	send("shutdown");
	CHECK(!power.off);
}

/* Selects @key and reads @n bytes from the data port into @buf. */
static void fw_cfg_get(struct port_bus *bus, uint16_t key, uint8_t *buf,
		       unsigned int n)
{
	unsigned int i;

	port_bus_write(bus, FW_CFG_PORT_SEL, 2, key);
	for (i = 0; i < n; i++)
		buf[i] = port_bus_read(bus, FW_CFG_PORT_DATA, 1);
}

static void test_fw_cfg(void)
{
	struct port_bus bus = { .nr_devs = 0 };
	struct fw_cfg fc;
	uint8_t b[16];
	uint64_t ram;

	fw_cfg_init(&fc, 0x12345678000ull, 3);
	CHECK_EQ(port_bus_add(&bus, &fc.dev), 0);

	fw_cfg_get(&bus, FW_CFG_SIGNATURE, b, 6);
	CHECK(!memcmp(b, "QEMU\0\0", 6));	/* then 0 past the end */
	fw_cfg_get(&bus, FW_CFG_ID, b, 4);
	CHECK(!memcmp(b, "\1\0\0\0", 4));	/* no DMA bit */
	fw_cfg_get(&bus, FW_CFG_RAM_SIZE, b, 8);
	memcpy(&ram, b, 8);
	CHECK_EQ(ram, 0x12345678000ull);
	fw_cfg_get(&bus, FW_CFG_NB_CPUS, b, 3);
	CHECK(!memcmp(b, "\3\0\0", 3));
	fw_cfg_get(&bus, FW_CFG_MAX_CPUS, b, 2);
	CHECK(!memcmp(b, "\3\0", 2));
	fw_cfg_get(&bus, FW_CFG_FILE_DIR, b, 4);
	CHECK(!memcmp(b, "\0\0\0\0", 4));	/* no files */

	/* Unknown keys, the write channel, arch-local keys: all 0. */
	memset(b, 0xaa, sizeof(b));
	fw_cfg_get(&bus, 0x1234, b, 4);
	CHECK(!memcmp(b, "\0\0\0\0", 4));
	fw_cfg_get(&bus, 0x4000 | FW_CFG_SIGNATURE, b, 4);
	CHECK(!memcmp(b, "\0\0\0\0", 4));
	fw_cfg_get(&bus, 0x8000 | FW_CFG_SIGNATURE, b, 4);
	CHECK(!memcmp(b, "\0\0\0\0", 4));

	/* Selecting again rewinds; wider reads take consecutive bytes. */
	fw_cfg_get(&bus, FW_CFG_SIGNATURE, b, 1);
	CHECK_EQ(b[0], 'Q');
	port_bus_write(&bus, FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	CHECK_EQ(port_bus_read(&bus, FW_CFG_PORT_DATA, 2), 0x4551);
	CHECK_EQ(port_bus_read(&bus, FW_CFG_PORT_DATA, 4), 0x554d);

	/* Byte or dword selector writes and data writes change nothing. */
	port_bus_write(&bus, FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	port_bus_write(&bus, FW_CFG_PORT_SEL, 1, FW_CFG_ID);
	port_bus_write(&bus, FW_CFG_PORT_SEL, 4, FW_CFG_ID);
	port_bus_write(&bus, FW_CFG_PORT_DATA, 1, 0x55);
	port_bus_write(&bus, FW_CFG_PORT_DATA, 2, 0x55);
	CHECK_EQ(port_bus_read(&bus, FW_CFG_PORT_DATA, 1), 'Q');
	/* The selector port reads 0; nothing past 0x511 is claimed. */
	CHECK_EQ(port_bus_read(&bus, FW_CFG_PORT_SEL, 2), 0);
	CHECK_EQ(port_bus_read(&bus, FW_CFG_PORT_SEL + 2, 1), 0xff);
	CHECK_EQ(port_bus_read(&bus, FW_CFG_PORT_DATA, 1), 'E');

	/* Reading far past the end stays at 0. */
	fw_cfg_get(&bus, FW_CFG_NB_CPUS, b, 2);
	for (ram = 0; ram < 100000; ram++)
		if (port_bus_read(&bus, FW_CFG_PORT_DATA, 1))
			break;
	CHECK_EQ(ram, 100000);
}

int main(void)
{
	TEST(test_bus);
	TEST(test_uart_transmit);
	TEST(test_uart_receive);
	TEST(test_uart_registers);
	TEST(test_uart_wide_access);
	TEST(test_uart_loopback);
	TEST(test_debug_exit);
	TEST(test_shutdown);
	TEST(test_fw_cfg);
	return test_done();
}
