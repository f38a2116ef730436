/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: QEMU's SynIC test device (hyperv-testdev), for TLFS test
 * kernels written for QEMU (kvm-unit-tests' hyperv_synic and
 * hyperv_connections).  One 32-bit write-only register at port 0x3000:
 *
 *	bits  0-7   SINT
 *	bits  8-15  VP index
 *	bits 16-23  command (HVTESTDEV_*)
 *	bits 24-31  connection id (the connection commands)
 *
 * Reads return 0; other widths, unknown commands and commands that
 * cannot be carried out are ignored (--verbose reports the first).
 *
 * A SINT route is a (VP, SINT) pair that SET_SINT raises with no message
 * and no event flag (HVPART_SIGNAL_EVENT_SINT_ONLY).  A message
 * connection is a root message port that the guest's HvPostMessage on
 * the connection id fills; the I/O thread reads each message from the
 * port's fd and posts it back, same type and payload, to the
 * connection's SINT (HVPART_POST_MESSAGE).  An event connection is a root
 * event port whose eventfd the guest's HvSignalEvent signals; the I/O
 * thread then sets event flag <connection id> of the connection's SINT
 * (HVPART_SIGNAL_EVENT).  As in QEMU, both echoes happen after the
 * hypercall returns, so the guest waits for its SINT's interrupt.
 */
#ifndef HVCTL_HVTESTDEV_H
#define HVCTL_HVTESTDEV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/hvpart.h>

#include "devices.h"

#define HVTESTDEV_BASE		0x3000
#define HVTESTDEV_PORTS		4

/* Commands (bits 16-23 of the value written) */
#define HVTESTDEV_SINT_ROUTE_CREATE	1
#define HVTESTDEV_SINT_ROUTE_DESTROY	2
#define HVTESTDEV_SINT_ROUTE_SET_SINT	3
#define HVTESTDEV_MSG_CONN_CREATE	4
#define HVTESTDEV_MSG_CONN_DESTROY	5
#define HVTESTDEV_EVT_CONN_CREATE	6
#define HVTESTDEV_EVT_CONN_DESTROY	7

#define HVTESTDEV_MAX_ROUTES	64
#define HVTESTDEV_MAX_CONNS	64

/*
 * hvctl's port ids for the connections: a range of its own, the
 * connection id in the low byte.  NOTE: hvctl's choice, not QEMU's.
 */
#define HVTESTDEV_MSG_PORT_BASE	0x300000
#define HVTESTDEV_EVT_PORT_BASE	0x300100

/* How long the I/O thread waits before posting a held message again */
#define HVTESTDEV_RETRY_MS	5

/**
 * struct hvtestdev_route - a SINT route
 * @used: the slot holds a route
 * @vp: its VP index
 * @sint: its SINT
 */
struct hvtestdev_route {
	bool used;
	uint8_t vp;
	uint8_t sint;
};

/**
 * struct hvtestdev_conn - a message or event connection
 * @used: the slot holds a connection
 * @event: an event connection; else a message connection
 * @vp: the VP its echoes go to
 * @sint: ... and the SINT
 * @conn_id: the guest's connection id (1-255)
 * @port_id: hvpart's port behind it
 * @fd: the port's message fd, or the port's eventfd
 * @gen: counts the slot's uses, so that the I/O thread knows a slot it
 *	polled is still the same connection
 * @held: a message waits for room in the SINT's queue (-EAGAIN)
 * @msg: that message
 */
struct hvtestdev_conn {
	bool used;
	bool event;
	uint8_t vp;
	uint8_t sint;
	uint8_t conn_id;
	uint32_t port_id;
	int fd;
	uint16_t gen;
	bool held;
	struct hvpart_message msg;
};

/**
 * struct hvtestdev - the device; the worker's device lock guards it
 * @dev: port 0x3000 (4 ports, 32-bit accesses)
 * @pt_fd: the partition
 * @nr_vps: VPs of the partition
 * @wake_fd: eventfd that wakes the I/O thread to poll a changed set of
 *	fds; -1 for none (tests)
 * @routes: the SINT routes
 * @conns: the connections
 * @warned: the first ignored command was reported
 * @echoed: messages posted back (statistics, tests)
 * @signalled: event flags set and SINTs raised (statistics, tests)
 */
struct hvtestdev {
	struct pio_device dev;
	int pt_fd;
	unsigned int nr_vps;
	int wake_fd;
	struct hvtestdev_route routes[HVTESTDEV_MAX_ROUTES];
	struct hvtestdev_conn conns[HVTESTDEV_MAX_CONNS];
	bool warned;
	uint64_t echoed;
	uint64_t signalled;
};

void hvtestdev_init(struct hvtestdev *d, int pt_fd, unsigned int nr_vps,
		    int wake_fd);
void hvtestdev_destroy(struct hvtestdev *d);
unsigned int hvtestdev_poll_fds(struct hvtestdev *d, struct pollfd *p,
				uint32_t *tags, unsigned int max,
				int *timeout);
void hvtestdev_poll_done(struct hvtestdev *d, const struct pollfd *p,
			 const uint32_t *tags, unsigned int n);

#endif /* HVCTL_HVTESTDEV_H */
