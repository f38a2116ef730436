/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the worker that `hvctl start` detaches: one process per
 * partition that owns its fds, runs its VP and serves its devices, its
 * console and its control socket (control.h).
 */
#ifndef HVCTL_SERVE_H
#define HVCTL_SERVE_H

struct part_paths;
struct run_opts;

int serve_partition(const struct part_paths *p, const struct run_opts *o,
		    int ready_fd, int log_fd);

#endif /* HVCTL_SERVE_H */
