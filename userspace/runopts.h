/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the options that describe a partition.  `hvctl run` takes them
 * on its command line; `hvctl create` takes the same and stores them in
 * the partition's configuration file (state.c), from which `hvctl start`
 * parses them again.
 */
#ifndef HVCTL_RUNOPTS_H
#define HVCTL_RUNOPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "hvfeatures.h"

struct hvctl_cmd;
struct worker;

/**
 * struct run_opt_kv - one option as given
 * @key: its long name ("memory", "hv-on", ...)
 * @val: its argument, or NULL for an option without one
 */
struct run_opt_kv {
	const char *key;
	const char *val;
};

#define RUN_OPTS_MAX_KV		64
#define RUN_OPTS_MAX_INITRD	8
#define RUN_OPTS_MAX_DISKS	16	/* VMBUS_MAX_DISKS */
#define RUN_OPTS_MAX_VSOCK	16	/* VMBUS_SOCK_MAX_PORTS */

/**
 * struct run_opts - a parsed `hvctl run` command line
 * @ram_size: --memory
 * @nr_vps: --vps
 * @hv: the --hv options, applied left to right
 * @nr_initrd: --initrd options given
 * @initrd: their values: "FILE [ARGS],FILE [ARGS]..." each
 * @nr_disks: --disk options given
 * @disks: their values, "FILE[,ro]"
 * @nr_vsock: --vsock-port options given
 * @vsock: their values, "PORT=PATH"
 * @raw: --raw: IMAGE is real-mode code, whatever it looks like
 * @net: --net: "tap=NAME[,mac=MAC]", or NULL
 * @image: IMAGE as given
 * @nr_args: number of ARGS
 * @args: ARGS (pointers into the argv parsed)
 * @cmdline: ARGS joined with spaces: the guest's command line
 * @nr_kv: entries in @kv
 * @kv: the options in the order given
 */
struct run_opts {
	uint64_t ram_size;
	unsigned long nr_vps;
	struct hvf_select hv;
	unsigned int nr_initrd;
	const char *initrd[RUN_OPTS_MAX_INITRD];
	unsigned int nr_disks;
	const char *disks[RUN_OPTS_MAX_DISKS];
	unsigned int nr_vsock;
	const char *vsock[RUN_OPTS_MAX_VSOCK];
	bool raw;
	const char *net;
	const char *image;
	int nr_args;
	char **args;
	char *cmdline;
	unsigned int nr_kv;
	struct run_opt_kv kv[RUN_OPTS_MAX_KV];
};

int run_opts_parse(const struct hvctl_cmd *cmd, int argc, char **argv,
		   struct run_opts *o);
void run_opts_free(struct run_opts *o);
int run_setup(struct worker *w, const struct run_opts *o, int in_fd,
	      int out_fd);
int run_initrd_split(const char *spec, char **items, unsigned int max,
		     unsigned int *nr);

#endif /* HVCTL_RUNOPTS_H */
