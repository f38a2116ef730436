// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: port I/O devices.  The bus routes an access by its first port;
 * ports no device claims read as all ones and drop writes, as on a PC.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acpi.h"
#include "cli.h"
#include "devices.h"
#include "util.h"

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

int port_bus_add(struct port_bus *bus, struct pio_device *dev)
{
	unsigned int i;

	if (!dev->nr_ports || dev->base + dev->nr_ports > 0x10000)
		return -EINVAL;
	if (bus->nr_devs == PORT_BUS_MAX_DEVICES)
		return -ENOSPC;
	for (i = 0; i < bus->nr_devs; i++) {
		struct pio_device *d = bus->devs[i];

		if (dev->base < d->base + d->nr_ports &&
		    d->base < dev->base + dev->nr_ports)
			return -EBUSY;
	}
	bus->devs[bus->nr_devs++] = dev;
	return 0;
}

struct pio_device *port_bus_find(struct port_bus *bus, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < bus->nr_devs; i++) {
		struct pio_device *d = bus->devs[i];

		if (port >= d->base && port - d->base < d->nr_ports)
			return d;
	}
	return NULL;
}

static bool too_wide(const struct pio_device *d, unsigned int size)
{
	return d->max_access && size > d->max_access;
}

uint32_t port_bus_read(struct port_bus *bus, uint16_t port, unsigned int size)
{
	struct pio_device *d = port_bus_find(bus, port);
	uint32_t v = 0;
	unsigned int i;

	if (!d || !d->ops->read)
		return size_mask(size);
	if (too_wide(d, size)) {
		for (i = 0; i < size; i++)
			v |= port_bus_read(bus, port + i, 1) << (8 * i);
		return v;
	}
	return d->ops->read(d, port - d->base, size) & size_mask(size);
}

void port_bus_write(struct port_bus *bus, uint16_t port, unsigned int size,
		    uint32_t value)
{
	struct pio_device *d = port_bus_find(bus, port);
	unsigned int i;

	if (!d || !d->ops->write)
		return;
	if (too_wide(d, size)) {
		for (i = 0; i < size; i++)
			port_bus_write(bus, port + i, 1, value >> (8 * i));
		return;
	}
	d->ops->write(d, port - d->base, size, value & size_mask(size));
}

/* 16550A UART */

static struct uart16550 *to_uart(struct pio_device *dev)
{
	return container_of(dev, struct uart16550, dev);
}

/* Takes one byte from the host into RBR if one is there; never blocks. */
static void uart_fill_rx(struct uart16550 *u)
{
	struct pollfd pfd = { .fd = u->in_fd, .events = POLLIN };
	unsigned char c;
	ssize_t n;

	if (u->rx >= 0 || u->in_eof || u->in_fd < 0 ||
	    (u->mcr & UART_MCR_LOOP))
		return;
	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
		return;
	n = read(u->in_fd, &c, 1);
	if (n == 1)
		u->rx = c;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		u->in_eof = true;
}

static void uart_transmit(struct uart16550 *u, uint8_t c)
{
	ssize_t n;

	if (u->mcr & UART_MCR_LOOP) {
		u->rx = c;
		return;
	}
	do {
		n = write(u->out_fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	/* A closed stdout loses the byte, as a disconnected line would. */
}

/* IIR's interrupt bits without side effects; UART_IIR_NO_INT for none. */
static uint8_t uart_pending(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_RDI) && u->rx >= 0)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri_pending)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

/* Drives the interrupt line after any change of state. */
static void uart_update_irq(struct uart16550 *u)
{
	bool level = (u->mcr & UART_MCR_OUT2) &&
		     uart_pending(u) != UART_IIR_NO_INT;

	if (!u->irq_set || level == u->irq_level)
		return;
	u->irq_level = level;
	u->irq_set(u, level);
}

/*
 * Whether an I/O thread should take a byte from the input fd now: RBR is
 * empty and the guest asked for the receive interrupt.  A guest that
 * polls takes its input when it reads LSR or RBR; taking it earlier
 * would lose it to the FIFO reset of the guest's UART set-up.
 */
bool uart16550_wants_input(const struct uart16550 *u)
{
	return u->rx < 0 && !u->in_eof && u->in_fd >= 0 &&
	       (u->ier & UART_IER_RDI) && !(u->mcr & UART_MCR_LOOP);
}

/* The I/O thread saw input: take a byte, maybe raise the interrupt. */
void uart16550_poll_input(struct uart16550 *u)
{
	uart_fill_rx(u);
	uart_update_irq(u);
}

/* RBR emptied: the I/O thread may poll the input again. */
static void uart_wake(struct uart16550 *u)
{
	uint64_t one = 1;

	if (u->wake_fd >= 0 && uart16550_wants_input(u) &&
	    write(u->wake_fd, &one, sizeof(one)) < 0)
		u->wake_fd = -1;	/* cannot happen with an eventfd */
}

static uint8_t uart_read_iir(struct uart16550 *u)
{
	uint8_t fifo = (u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	if (u->ier & UART_IER_RDI) {
		uart_fill_rx(u);
		if (u->rx >= 0)
			return fifo | UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_THRI) && u->thri_pending) {
		/* Reading IIR acknowledges the THR-empty interrupt. */
		u->thri_pending = false;
		return fifo | UART_IIR_THRI;
	}
	return fifo | UART_IIR_NO_INT;
}

static uint8_t uart_read_msr(struct uart16550 *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	/* Loopback wires the modem outputs back to the inputs. */
	if (u->mcr & UART_MCR_DTR)
		msr |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_RTS)
		msr |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_OUT1)
		msr |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		msr |= UART_MSR_DCD;
	return msr;
}

static uint32_t uart_read_reg(struct uart16550 *u, uint16_t offset)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	int c;

	switch (offset) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		uart_fill_rx(u);
		c = u->rx;
		u->rx = -1;
		return c < 0 ? 0 : c;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return uart_read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		uart_fill_rx(u);
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx >= 0 ? UART_LSR_DR : 0);
	case UART_MSR:
		return uart_read_msr(u);
	default:
		return u->scr;
	}
}

static uint32_t uart_read(struct pio_device *dev, uint16_t offset,
			  unsigned int size)
{
	struct uart16550 *u = to_uart(dev);
	bool had_rx = u->rx >= 0;
	uint32_t v;

	(void)size;
	v = uart_read_reg(u, offset);
	uart_update_irq(u);
	if (had_rx && u->rx < 0)
		uart_wake(u);
	return v;
}

static void uart_write_reg(struct uart16550 *u, uint16_t offset, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_THR:
		if (dlab) {
			u->dll = v;
			break;
		}
		uart_transmit(u, v);
		u->thri_pending = true;	/* sent at once: THR is empty */
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thri_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_FCR:
		u->fcr = v & 0xc9;
		if (v & UART_FCR_CLR_RX)
			u->rx = -1;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		break;	/* LSR and MSR are read-only */
	}
}

static void uart_write(struct pio_device *dev, uint16_t offset,
		       unsigned int size, uint32_t value)
{
	struct uart16550 *u = to_uart(dev);
	bool had_rx = u->rx >= 0;
	uint8_t loop = u->mcr & UART_MCR_LOOP;

	(void)size;
	uart_write_reg(u, offset, value);
	uart_update_irq(u);
	if ((had_rx && u->rx < 0) || loop != (u->mcr & UART_MCR_LOOP) ||
	    offset == UART_IER)
		uart_wake(u);
}

static const struct pio_ops uart_ops = {
	.read = uart_read,
	.write = uart_write,
};

void uart16550_init(struct uart16550 *u, uint16_t base, int in_fd,
		    int out_fd)
{
	memset(u, 0, sizeof(*u));
	u->dev.name = "uart16550";
	u->dev.base = base;
	u->dev.nr_ports = 8;
	u->dev.max_access = 1;
	u->dev.ops = &uart_ops;
	u->in_fd = in_fd;
	u->out_fd = out_fd;
	u->rx = -1;
	u->dll = 0x0c;		/* 9600 baud, the power-on divisor */
	u->lcr = 0x03;		/* 8N1 */
	u->mcr = UART_MCR_OUT2;
	u->wake_fd = -1;
}

/* The masked 8259s */

static uint32_t pic_stub_read(struct pio_device *dev, uint16_t offset,
			      unsigned int size)
{
	(void)dev;
	(void)size;
	return offset ? 0xff : 0;	/* IMR: all masked; IRR/ISR: none */
}

static const struct pio_ops pic_stub_ops = {
	.read = pic_stub_read,
};

void pic_stub_init(struct pic_stub *pic, uint16_t base)
{
	memset(pic, 0, sizeof(*pic));
	pic->dev.name = "i8259";
	pic->dev.base = base;
	pic->dev.nr_ports = 2;
	pic->dev.max_access = 1;
	pic->dev.ops = &pic_stub_ops;
}

/* The CMOS RTC's clock */

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint32_t cmos_rtc_read(struct pio_device *dev, uint16_t offset,
			      unsigned int size)
{
	struct cmos_rtc *rtc = container_of(dev, struct cmos_rtc, dev);
	struct tm tm;
	time_t now;

	(void)size;
	if (!offset)
		return 0xff;
	now = time(NULL);
	if (!gmtime_r(&now, &tm))
		return 0;
	switch (rtc->index) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);	/* century */
	case 0x0a: return 0x26;	/* 32.768 kHz, 1024 Hz; UIP clear */
	case 0x0b: return 0x02;	/* 24-hour, BCD, no interrupts */
	case 0x0d: return 0x80;	/* valid RAM and time */
	default: return 0;
	}
}

static void cmos_rtc_write(struct pio_device *dev, uint16_t offset,
			   unsigned int size, uint32_t value)
{
	struct cmos_rtc *rtc = container_of(dev, struct cmos_rtc, dev);

	(void)size;
	if (!offset)
		rtc->index = value & 0x7f;	/* bit 7: NMI mask */
}

static const struct pio_ops cmos_rtc_ops = {
	.read = cmos_rtc_read,
	.write = cmos_rtc_write,
};

void cmos_rtc_init(struct cmos_rtc *rtc)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->dev.name = "cmos-rtc";
	rtc->dev.base = CMOS_RTC_BASE;
	rtc->dev.nr_ports = 2;
	rtc->dev.max_access = 1;
	rtc->dev.ops = &cmos_rtc_ops;
}

/* isa-debug-exit */

static void debug_exit_write(struct pio_device *dev, uint16_t offset,
			     unsigned int size, uint32_t value)
{
	struct debug_exit *de = container_of(dev, struct debug_exit, dev);
	struct power_ctl *p = de->power;

	(void)offset;
	(void)size;
	p->off = true;
	p->status = (int)((value << 1) | 1);
	snprintf(p->reason, sizeof(p->reason),
		 "guest wrote 0x%x to isa-debug-exit", value);
}

static const struct pio_ops debug_exit_ops = {
	.write = debug_exit_write,
};

void debug_exit_init(struct debug_exit *de, struct power_ctl *power)
{
	memset(de, 0, sizeof(*de));
	de->dev.name = "isa-debug-exit";
	de->dev.base = DEBUG_EXIT_BASE;
	de->dev.nr_ports = DEBUG_EXIT_PORTS;
	de->dev.ops = &debug_exit_ops;
	de->power = power;
}

/* Bochs "Shutdown" port */

static void bochs_shutdown_write(struct pio_device *dev, uint16_t offset,
				 unsigned int size, uint32_t value)
{
	static const char magic[] = "Shutdown";
	struct bochs_shutdown *bs = container_of(dev, struct bochs_shutdown,
						 dev);
	char c = (char)(value & 0xff);

	(void)offset;
	(void)size;
	if (c == magic[bs->matched])
		bs->matched++;
	else
		bs->matched = c == magic[0];
	if (bs->matched < sizeof(magic) - 1)
		return;

	bs->matched = 0;
	bs->power->off = true;
	bs->power->status = 0;
	snprintf(bs->power->reason, sizeof(bs->power->reason),
		 "guest wrote \"Shutdown\" to port 0x%x", BOCHS_SHUTDOWN_PORT);
}

static const struct pio_ops bochs_shutdown_ops = {
	.write = bochs_shutdown_write,
};

void bochs_shutdown_init(struct bochs_shutdown *bs, struct power_ctl *power)
{
	memset(bs, 0, sizeof(*bs));
	bs->dev.name = "bochs-shutdown";
	bs->dev.base = BOCHS_SHUTDOWN_PORT;
	bs->dev.nr_ports = 1;
	bs->dev.max_access = 1;
	bs->dev.ops = &bochs_shutdown_ops;
	bs->power = power;
}

/* The hardware-reduced ACPI registers */

static uint32_t acpi_pm_read(struct pio_device *dev, uint16_t offset,
			     unsigned int size)
{
	struct acpi_pm *pm = container_of(dev, struct acpi_pm, dev);

	(void)size;
	return offset == ACPI_PM_SLEEP_STATUS ? pm->sleep_status : 0;
}

static void acpi_pm_sleep(struct acpi_pm *pm, uint8_t v)
{
	unsigned int slp_typ = (v & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT;

	/* Only S5 is in the DSDT: another SLP_TYP is no state, ignored. */
	if (!(v & ACPI_SLP_EN) || slp_typ != ACPI_S5_SLP_TYP)
		return;
	pm->power->off = true;
	pm->power->status = HVCTL_EXIT_OK;
	snprintf(pm->power->reason, sizeof(pm->power->reason),
		 "guest entered ACPI S5 (soft off) at port 0x%x",
		 ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL);
}

static void acpi_pm_write(struct pio_device *dev, uint16_t offset,
			  unsigned int size, uint32_t value)
{
	struct acpi_pm *pm = container_of(dev, struct acpi_pm, dev);

	(void)size;
	switch (offset) {
	case ACPI_PM_SLEEP_CONTROL:
		acpi_pm_sleep(pm, value);
		break;
	case ACPI_PM_SLEEP_STATUS:
		pm->sleep_status &= ~(value & ACPI_WAK_STS);
		break;
	case ACPI_PM_RESET:
		if (value != ACPI_RESET_VALUE)
			break;
		pm->power->off = true;
		pm->power->status = HVCTL_EXIT_RESET;
		snprintf(pm->power->reason, sizeof(pm->power->reason),
			 "guest wrote the ACPI reset register (port 0x%x)",
			 ACPI_PM_BASE + ACPI_PM_RESET);
		break;
	default:
		break;
	}
}

static const struct pio_ops acpi_pm_ops = {
	.read = acpi_pm_read,
	.write = acpi_pm_write,
};

void acpi_pm_init(struct acpi_pm *pm, struct power_ctl *power)
{
	memset(pm, 0, sizeof(*pm));
	pm->dev.name = "acpi-pm";
	pm->dev.base = ACPI_PM_BASE;
	pm->dev.nr_ports = ACPI_PM_PORTS;
	pm->dev.max_access = 1;
	pm->dev.ops = &acpi_pm_ops;
	pm->power = power;
}
