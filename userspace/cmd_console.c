// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl console: a partition's serial console over its worker's control
 * socket.  Ctrl-] (0x1d) in the input, or the end of the input, detaches;
 * the partition runs on.  On a terminal, the input is raw while attached.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "hvctl.h"
#include "state.h"

#define CONSOLE_ESCAPE	0x1d	/* Ctrl-] */

const char cmd_console_help[] =
"Attaches the terminal to partition NAME's serial console (COM1): first\n"
"what the guest printed lately (up to 64 KiB), then what it prints; what\n"
"is typed goes to the guest.  Ctrl-] detaches, and so does the end of the\n"
"input; the partition runs on.  When the guest stops, so does the console.\n"
"One console may be attached at a time.\n";

/* Reads "ok\n" or "error ...\n" one byte at a time: no console byte lost. */
static int console_handshake(int fd, const char *name)
{
	char line[256];
	size_t len = 0;
	ssize_t n;

	if (ctl_write_all(fd, "console\n", 8))
		return -1;
	while (len < sizeof(line) - 1) {
		n = read(fd, line + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	if (!strcmp(line, "ok"))
		return 0;
	hvctl_err("%s: %s", name, strncmp(line, "error ", 6) ?
		  "the worker did not answer" : line + 6);
	return -1;
}

/* Relays until detach or hang-up; true if the worker hung up. */
static bool console_relay(int sock)
{
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sock, .events = POLLIN },
	};
	char buf[4096], *esc;
	ssize_t n;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (pfd[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return true;
			if (ctl_write_all(STDOUT_FILENO, buf, n))
				return false;
		}
		if (pfd[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return false;
			esc = memchr(buf, CONSOLE_ESCAPE, n);
			if (esc)
				n = esc - buf;
			if (n && ctl_write_all(sock, buf, n))
				return true;
			if (esc)
				return false;
		}
	}
}

int console_attach(const struct part_paths *p)
{
	struct termios saved, raw;
	bool tty, hung_up;
	int sock;

	sock = ctl_connect(p->sock);
	if (sock == -ENOENT || sock == -ECONNREFUSED) {
		hvctl_err("%s is not running (no worker at %s)", p->name,
			  p->sock);
		return HVCTL_EXIT_SETUP;
	}
	if (sock < 0) {
		hvctl_err("cannot reach %s's worker at %s: %s", p->name,
			  p->sock, strerror(-sock));
		return HVCTL_EXIT_SETUP;
	}
	if (console_handshake(sock, p->name)) {
		close(sock);
		return HVCTL_EXIT_SETUP;
	}
	tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fprintf(stderr, "Connected to %s's console; escape character is ^]\r\n",
			p->name);
	}
	hung_up = console_relay(sock);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputc('\n', stderr);
	}
	close(sock);
	if (hung_up)
		hvctl_err("%s stopped ('hvctl list' says why)", p->name);
	return HVCTL_EXIT_OK;
}

int cmd_console(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	struct part_paths p;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		hvctl_cmd_help(cmd);
		return HVCTL_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	if (state_paths(argv[1], &p, false))
		return HVCTL_EXIT_SETUP;
	return console_attach(&p);
}
