/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: emulated port I/O devices and the bus that routes guest IN/OUT
 * to them.
 */
#ifndef HVCTL_DEVICES_H
#define HVCTL_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct power_ctl - a device's request to end the worker
 * @off: set once a device powered the machine off
 * @status: hvctl's exit status for it
 * @reason: what happened, for --verbose
 */
struct power_ctl {
	bool off;
	int status;
	char reason[80];
};

struct pio_device;

/**
 * struct pio_ops - one device's port handlers
 * @read: returns @size bytes read at @offset from the device's base
 * @write: writes the low @size bytes of @value at @offset
 */
struct pio_ops {
	uint32_t (*read)(struct pio_device *dev, uint16_t offset,
			 unsigned int size);
	void (*write)(struct pio_device *dev, uint16_t offset,
		      unsigned int size, uint32_t value);
};

/**
 * struct pio_device - a range of I/O ports claimed by one device
 * @name: for messages
 * @base: first port
 * @nr_ports: number of ports
 * @max_access: widest access the device takes (1, 2 or 4; 0 means 4);
 *	the bus splits wider ones into byte accesses to consecutive ports,
 *	as an 8-bit ISA device sees them
 * @ops: the handlers; a NULL handler reads as all ones or drops writes
 */
struct pio_device {
	const char *name;
	uint16_t base;
	uint16_t nr_ports;
	unsigned int max_access;
	const struct pio_ops *ops;
};

#define PORT_BUS_MAX_DEVICES	16

struct port_bus {
	struct pio_device *devs[PORT_BUS_MAX_DEVICES];
	unsigned int nr_devs;
};

int port_bus_add(struct port_bus *bus, struct pio_device *dev);
struct pio_device *port_bus_find(struct port_bus *bus, uint16_t port);
uint32_t port_bus_read(struct port_bus *bus, uint16_t port, unsigned int size);
void port_bus_write(struct port_bus *bus, uint16_t port, unsigned int size,
		    uint32_t value);

/* 16550A UART registers (offsets from the base port) */
#define UART_RBR	0	/* receive buffer (read, DLAB 0) */
#define UART_THR	0	/* transmit holding (write, DLAB 0) */
#define UART_DLL	0	/* divisor latch low (DLAB 1) */
#define UART_IER	1	/* interrupt enable (DLAB 0) */
#define UART_DLM	1	/* divisor latch high (DLAB 1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* THR empty */
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_LCR_DLAB	0x80
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* THR empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define COM1_BASE	0x3f8

/**
 * struct uart16550 - a polled 16550A wired to host fds
 * @dev: its ports
 * @in_fd: host fd RBR reads from (polled, never blocks); -1 for none
 * @out_fd: host fd THR writes go to, unbuffered
 * @rx: the received byte waiting in RBR, or -1
 * @in_eof: @in_fd reached end of file
 * @thri_pending: the THR-empty interrupt condition is raised
 * @ier, @lcr, @mcr, @fcr, @scr, @dll, @dlm: register values as written
 * @irq_set: drives the UART's interrupt line, or NULL for none: asserted
 *	while MCR.OUT2 is set and IIR reports an interrupt
 * @irq_level: the line's level
 * @wake_fd: an eventfd written when RBR empties, so that an I/O thread
 *	polls @in_fd again (uart16550_poll_input()); -1 for none
 *
 * Transmission is instant, so THR is always empty.  Without @irq_set
 * IIR only reports what would be pending, for guests that poll.
 */
struct uart16550 {
	struct pio_device dev;
	int in_fd;
	int out_fd;
	int rx;
	bool in_eof;
	bool thri_pending;
	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	void (*irq_set)(struct uart16550 *uart, bool level);
	bool irq_level;
	int wake_fd;
};

void uart16550_init(struct uart16550 *uart, uint16_t base, int in_fd,
		    int out_fd);
bool uart16550_wants_input(const struct uart16550 *uart);
void uart16550_poll_input(struct uart16550 *uart);

#define PIC_MASTER_BASE		0x20
#define PIC_SLAVE_BASE		0xa0

/**
 * struct pic_stub - an 8259 PIC that is there but masked, as in a modern
 *	VM whose interrupts go through the I/O APIC: the mask register
 *	(OCW1, the odd port) reads 0xff, IRR/ISR read 0, writes (ICWs,
 *	OCWs) are ignored
 * @dev: its two ports
 */
struct pic_stub {
	struct pio_device dev;
};

void pic_stub_init(struct pic_stub *pic, uint16_t base);

#define CMOS_RTC_BASE		0x70

/**
 * struct cmos_rtc - the MC146818 RTC's time registers at 0x70/0x71,
 *	read-only: the host's UTC time in BCD, 24-hour mode, never an
 *	update in progress, no alarms or interrupts.  Linux reads it once at
 *	boot for the wall clock (read_persistent_clock64()), whatever the
 *	FADT says; with no device there, register A reads 0xff, "update in
 *	progress", and it polls that for a second before giving up
 * @dev: its two ports
 * @index: the register the index port selected
 */
struct cmos_rtc {
	struct pio_device dev;
	uint8_t index;
};

void cmos_rtc_init(struct cmos_rtc *rtc);

#define DEBUG_EXIT_BASE		0xf4
#define DEBUG_EXIT_PORTS	4

/**
 * struct debug_exit - QEMU's isa-debug-exit (iobase 0xf4, iosize 4)
 * @dev: its ports
 * @power: where a write of V asks for exit status (V << 1) | 1
 */
struct debug_exit {
	struct pio_device dev;
	struct power_ctl *power;
};

void debug_exit_init(struct debug_exit *de, struct power_ctl *power);

#define BOCHS_SHUTDOWN_PORT	0x8900

/**
 * struct bochs_shutdown - the Bochs/QEMU "Shutdown" string port
 * @dev: its port
 * @power: where the full string asks for exit status 0
 * @matched: how many characters of "Shutdown" came in sequence so far
 */
struct bochs_shutdown {
	struct pio_device dev;
	struct power_ctl *power;
	unsigned int matched;
};

void bochs_shutdown_init(struct bochs_shutdown *bs, struct power_ctl *power);

/**
 * struct acpi_pm - the registers the FADT of a hardware-reduced ACPI
 *	platform names (acpi.h): sleep control, sleep status and reset,
 *	one I/O port each from ACPI_PM_BASE
 * @dev: its ports
 * @power: where S5 asks for status 0 and a reset for HVCTL_EXIT_RESET
 * @sleep_status: SLEEP_STATUS_REG; WAK_STS is never set, as nothing
 *	wakes a machine that only powers off
 */
struct acpi_pm {
	struct pio_device dev;
	struct power_ctl *power;
	uint8_t sleep_status;
};

void acpi_pm_init(struct acpi_pm *pm, struct power_ctl *power);

#endif /* HVCTL_DEVICES_H */
