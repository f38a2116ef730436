// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl create, hvctl delete: a partition's configuration file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "hvctl.h"
#include "loader.h"
#include "runopts.h"
#include "state.h"
#include "worker.h"

const char cmd_create_help[] =
"Stores a partition named NAME: the options, IMAGE and ARGS of 'hvctl run'\n"
"(see 'hvctl help run'), checked now, in a configuration file that\n"
"'hvctl start NAME' boots.  IMAGE must exist; it is stored as an absolute\n"
"path and read again at each start.\n"
"\n"
"NAME: 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or\n"
"digit.\n"
"\n"
"Files (per user; the environment overrides the directories):\n"
"  CONFDIR/NAME.conf    the configuration: one \"KEY VALUE\" a line, the\n"
"                       options by their long names, \"image PATH\" and one\n"
"                       \"arg WORD\" per guest argument\n"
"  RUNDIR/NAME.status   the worker's state, or why it stopped\n"
"  RUNDIR/NAME.sock     the running worker's control socket\n"
"  RUNDIR/NAME.log      the worker's messages\n"
"  RUNDIR/NAME.lock     held by the running worker\n"
"  CONFDIR: $HVPART_STATE_DIR, else /var/lib/hvpart for root, else\n"
"           $XDG_STATE_HOME/hvpart (~/.local/state/hvpart)\n"
"  RUNDIR:  $HVPART_RUN_DIR, else /run/hvpart for root, else\n"
"           $XDG_RUNTIME_DIR/hvpart, else CONFDIR/run\n";

const char cmd_delete_help[] =
"Removes partition NAME: its configuration and what its last worker left.\n"
"A running partition must be stopped first.\n";

static int check_line_safe(const char *what, const char *s)
{
	if (!strchr(s, '\n'))
		return 0;
	hvctl_err("create: %s '%s' holds a newline, which a configuration file cannot keep",
		  what, s);
	return -EINVAL;
}

/*
 * The worker reads modules from its own working directory, so a stored
 * --initrd must name them by absolute paths; 0 or -EINVAL after saying so.
 */
static int check_initrd_paths(const struct run_opts *o)
{
	char *items[MULTIBOOT_MAX_MODULES];
	unsigned int i, j, n;
	int ret = 0;

	for (i = 0; !ret && i < o->nr_initrd; i++) {
		if (run_initrd_split(o->initrd[i], items,
				     MULTIBOOT_MAX_MODULES, &n)) {
			hvctl_err("create: bad --initrd '%s'", o->initrd[i]);
			ret = -EINVAL;
		}
		for (j = 0; j < n; j++) {
			if (!ret && items[j][0] != '/') {
				hvctl_err("create: --initrd '%s': give the module as an absolute path",
					  items[j]);
				ret = -EINVAL;
			}
			free(items[j]);
		}
	}
	return ret;
}

int cmd_create(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	struct part_paths p;
	struct run_opts o;
	char *image = NULL, *text = NULL;
	unsigned int i;
	int ret, a;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") ||
				  !strcmp(argv[1], "--help"))) {
			hvctl_cmd_help(cmd);
			return HVCTL_EXIT_OK;
		}
		hvctl_err("create: no NAME given");
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	if (state_paths(argv[1], &p, false))
		return HVCTL_EXIT_SETUP;
	ret = run_opts_parse(cmd, argc - 1, argv + 1, &o);
	if (ret != WORKER_CONTINUE)
		goto free_opts;

	ret = HVCTL_EXIT_SETUP;
	for (i = 0; i < o.nr_kv; i++)
		if (o.kv[i].val && check_line_safe("option", o.kv[i].val))
			goto free_opts;
	for (a = 0; a < o.nr_args; a++)
		if (check_line_safe("argument", o.args[a]))
			goto free_opts;
	if (check_initrd_paths(&o))
		goto free_opts;
	image = realpath(o.image, NULL);
	if (!image || access(image, R_OK)) {
		hvctl_err("create: cannot read IMAGE %s: %s", o.image,
			  strerror(errno));
		goto free_opts;
	}
	if (check_line_safe("IMAGE", image))
		goto free_opts;
	text = config_format(p.name, &o, image);
	if (!text) {
		hvctl_err("out of memory");
		goto free_opts;
	}
	if (state_paths(argv[1], &p, true))
		goto free_opts;
	ret = state_write_file(p.conf, text, false);
	if (ret == -EEXIST) {
		hvctl_err("a partition named %s exists already ('hvctl delete %s' first)",
			  p.name, p.name);
		ret = HVCTL_EXIT_SETUP;
	} else if (ret) {
		hvctl_err("cannot write %s: %s", p.conf, strerror(-ret));
		ret = HVCTL_EXIT_SETUP;
	} else {
		printf("created %s\n", p.name);
	}

free_opts:
	free(text);
	free(image);
	run_opts_free(&o);
	return ret;
}

int cmd_delete(const struct hvctl_cmd *cmd, int argc, char **argv)
{
	struct part_paths p;
	int lock;

	if (argc != 2 || argv[1][0] == '-') {
		hvctl_cmd_usage(cmd);
		return HVCTL_EXIT_SETUP;
	}
	if (state_paths(argv[1], &p, false))
		return HVCTL_EXIT_SETUP;
	if (access(p.conf, F_OK)) {
		hvctl_err("no partition named %s", p.name);
		return HVCTL_EXIT_SETUP;
	}
	lock = state_lock(&p);
	if (lock == -EWOULDBLOCK) {
		hvctl_err("%s is running: 'hvctl stop %s' first", p.name,
			  p.name);
		return HVCTL_EXIT_SETUP;
	}
	if (lock < 0)
		return HVCTL_EXIT_SETUP;
	if (unlink(p.conf)) {
		hvctl_err("cannot remove %s: %s", p.conf, strerror(errno));
		close(lock);
		return HVCTL_EXIT_SETUP;
	}
	unlink(p.sock);
	unlink(p.status);
	unlink(p.log);
	unlink(p.lock);
	close(lock);
	printf("deleted %s\n", p.name);
	return HVCTL_EXIT_OK;
}
