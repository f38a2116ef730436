/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: a partition's configuration file, CONFDIR/NAME.conf.
 *
 * Plain text, one setting a line, "KEY VALUE": the options of `hvctl run`
 * by their long names, in the order given (the --hv ones apply left to
 * right), then "image PATH" (absolute) and one "arg WORD" per guest
 * argument.  Blank lines and lines starting with '#' are ignored.  For
 * example:
 *
 *	memory 128M
 *	vps 2
 *	hv-off crash,idle
 *	image /usr/lib/hvpart/guests/hello.elf
 *	arg console=ttyS0
 */
#ifndef HVCTL_CONFIG_H
#define HVCTL_CONFIG_H

struct run_opts;

/**
 * struct part_config - a configuration file turned back into argv
 * @argc: entries in @argv
 * @argv: "start", then "--KEY" ["VALUE"]..., IMAGE, ARGS...: what
 *	run_opts_parse() takes
 * @path: the file, for messages
 */
struct part_config {
	int argc;
	char **argv;
	const char *path;
};

char *config_format(const char *name, const struct run_opts *o,
		    const char *image);
int config_load(const char *path, struct part_config *c);
void config_free(struct part_config *c);

#endif /* HVCTL_CONFIG_H */
