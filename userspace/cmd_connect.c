// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl connect NAME PORT: a stream to an AF_VSOCK port in the guest,
 * over hv_sock (vmbus/sock.c), on standard input and output.
 *
 * The worker answers the control request "connect PORT" once the guest
 * accepted, passing the connection's socket (SCM_RIGHTS); then bytes go
 * both ways until the guest closes its side.  The end of standard input
 * ends the root's direction only (the guest reads EOF and may still
 * answer), as a shell pipeline expects.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "hvctl.h"
#include "state.h"

const char cmd_connect_help[] =
"Connects standard input and output to AF_VSOCK port PORT in partition\n"
"NAME, through hv_sock: a socket in the guest listens on PORT (Linux:\n"
"socket(AF_VSOCK, SOCK_STREAM), bind to VMADDR_CID_ANY and PORT, listen;\n"
"its kernel needs hv_sock).  What standard input gives goes to the\n"
"guest; at its end the root's direction ends (the guest reads EOF) and\n"
"hvctl goes on printing what the guest sends until the guest closes.\n"
"Fails (status 2) if the guest does not accept within 10 seconds.\n";

/*
 * Sends "connect PORT" and reads the answer: the connection's fd, or -1
 * with the worker's reason printed.
 */
static int connect_request(int ctl, const char *name, unsigned long port)
{
	char req[CTL_REQUEST_MAX], buf[256];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n;
	char *nl;

	snprintf(req, sizeof(req), "connect %lu\n", port);
	if (send(ctl, req, strlen(req), MSG_NOSIGNAL) < 0) {
		hvctl_err("%s: %s", name, strerror(errno));
		return -1;
	}
	do {
		n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		hvctl_err("%s: the worker closed the connection", name);
		return -1;
	}
	buf[n] = '\0';
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (!strncmp(buf, "ok\n", 3) && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!strncmp(buf, "error ", 6))
		hvctl_err("%s: port %lu: %s", name, port, buf + 6);
	else
		hvctl_err("%s: port %lu: a bad answer from the worker", name,
			  port);
	return -1;
}

/* Writes all of @buf; false on an error. */
static bool write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/* Moves bytes until the guest closes; 0, or -1 on an error. */
static int relay(int sock)
{
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sock, .events = POLLIN },
	};
	char buf[16384];
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0 && !write_all(sock, buf, n))
				return -1;
			if (n <= 0) {
				/* the root's direction ends */
				shutdown(sock, SHUT_WR);
				p[0].fd = -1;
			}
		}
		if (p[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			if (!n)
				return 0;
			if (!write_all(STDOUT_FILENO, buf, n))
				return -1;
		}
	}
}

int cmd_connect(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	unsigned long port;
	struct part_paths p;
	int ctl, sock, ret;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		hvctl_cmd_help(cmd);
		return HVCTL_EXIT_OK;
	}
	if (argc != 3 || argv[1][0] == '-') {
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	if (hvctl_parse_uint(argv[2], 0xffffffffUL, &port)) {
		hvctl_err("bad PORT '%s': want 0 to 4294967295", argv[2]);
		return HVCTL_EXIT_SETUP;
	}
	if (state_paths(argv[1], &p, false))
		return HVCTL_EXIT_SETUP;
	ctl = ctl_connect(p.sock);
	if (ctl == -ENOENT || ctl == -ECONNREFUSED) {
		hvctl_err("%s is not running (no worker at %s)", p.name, p.sock);
		return HVCTL_EXIT_SETUP;
	}
	if (ctl < 0) {
		hvctl_err("cannot reach %s's worker at %s: %s", p.name, p.sock,
			  strerror(-ctl));
		return HVCTL_EXIT_SETUP;
	}
	sock = connect_request(ctl, p.name, port);
	close(ctl);
	if (sock < 0)
		return HVCTL_EXIT_SETUP;
	ret = relay(sock);
	close(sock);
	if (ret) {
		hvctl_err("%s: port %lu: %s", p.name, port, strerror(errno));
		return HVCTL_EXIT_SETUP;
	}
	return HVCTL_EXIT_OK;
}
