/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the worker's control socket, RUNDIR/NAME.sock (a unix stream
 * socket, mode 0600; the worker also checks that the peer has its uid or
 * is root).
 *
 * A client sends one request line; the worker answers "ok" and lines of
 * "KEY VALUE", or one line "error MESSAGE", and closes the connection,
 * except after "console".  Requests:
 *
 *   state     name, state, pid, started, vps, memory
 *   stats     uptime, and per VP: exits, and the intercepts the worker
 *             answered by kind (vpN-exits, vpN-io, vpN-halt, vpN-memory,
 *             vpN-other); console bytes in and out
 *   shutdown  ask the guest to shut down; "error" when it has no way to
 *             be asked (today's guests have none)
 *   poweroff  end the partition now, as pulling the plug would: the
 *             worker stops the VPs, destroys the partition and exits
 *   connect PORT
 *             connects to AF_VSOCK port PORT in the guest (hv_sock): "ok"
 *             with the connection's socket attached (SCM_RIGHTS) once the
 *             guest accepts, or "error" if it does not within 10 s
 *   console   "ok", then the connection carries the serial console both
 *             ways: first what the guest printed lately (up to 64 KiB),
 *             then what it prints; bytes sent go to the UART's input.
 *             One console at a time.
 */
#ifndef HVCTL_CONTROL_H
#define HVCTL_CONTROL_H

#include <stddef.h>

#define CTL_REQUEST_MAX		64

int ctl_connect(const char *path);
int ctl_request(const char *path, const char *req, char *reply, size_t size);
const char *ctl_get(const char *reply, const char *key, char *buf,
		    size_t size);

#endif /* HVCTL_CONTROL_H */
