/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: messages, exit statuses and argument parsing shared by the
 * subcommands.
 */
#ifndef HVCTL_CLI_H
#define HVCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HVCTL_VERSION	"0.1"

/*
 * Exit statuses.  A guest that writes V to the isa-debug-exit port ends
 * hvctl with (V << 1) | 1, which is always odd, so hvctl's own statuses
 * are even and never collide with it.
 */
enum {
	HVCTL_EXIT_OK		= 0,	/* guest powered off or halted */
	HVCTL_EXIT_SETUP	= 2,	/* usage error, or setup failed */
	HVCTL_EXIT_TRIPLE_FAULT	= 4,	/* guest triple fault */
	HVCTL_EXIT_BAD_GPA	= 6,	/* access to an unmapped GPA */
	HVCTL_EXIT_UNHANDLED	= 8,	/* exit hvpart does not handle */
	HVCTL_EXIT_EMULATION	= 10,	/* hvctl could not emulate it */
	HVCTL_EXIT_HV_ERROR	= 12,	/* an ioctl failed while running */
	HVCTL_EXIT_GUEST_CRASH	= 14,	/* guest crash notification */
	HVCTL_EXIT_RESET	= 16,	/* guest asked for a reset */
	HVCTL_EXIT_SIGINT	= 130,	/* 128 + SIGINT */
	HVCTL_EXIT_SIGTERM	= 143,	/* 128 + SIGTERM */
};

void hvctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hvctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern bool hvctl_verbose;
void hvctl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int hvctl_open_device(void);
int hvctl_parse_size(const char *s, uint64_t *size);
int hvctl_parse_uint(const char *s, unsigned long max, unsigned long *val);
void hvctl_exit_reason(int status, char *buf, size_t size);
void hvctl_json_str(FILE *f, const char *s);

#endif /* HVCTL_CLI_H */
