/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the subcommands.  Each takes its argv (argv[0] is its name) and
 * returns hvctl's exit status.
 */
#ifndef HVCTL_H
#define HVCTL_H

/**
 * struct hvctl_cmd - one subcommand
 * @name: what the user types
 * @args: its synopsis after the name
 * @summary: one line for `hvctl --help`
 * @help: the full text for `hvctl help NAME`
 * @fn: the implementation
 */
struct hvctl_cmd {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
	int (*fn)(const struct hvctl_cmd *cmd, int argc, char **argv);
};

extern const char hvctl_exit_status_help[];

void hvctl_cmd_usage(const struct hvctl_cmd *cmd);
void hvctl_cmd_help(const struct hvctl_cmd *cmd);

struct part_paths;

int cmd_caps(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_run(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_create(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_delete(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_start(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_stop(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_kill(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_list(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_stats(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_console(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_monitor(const struct hvctl_cmd *cmd, int argc, char **argv);
int cmd_connect(const struct hvctl_cmd *cmd, int argc, char **argv);

int console_attach(const struct part_paths *p);

extern const char cmd_caps_help[];
extern const char cmd_run_help[];
extern const char cmd_create_help[];
extern const char cmd_delete_help[];
extern const char cmd_start_help[];
extern const char cmd_stop_help[];
extern const char cmd_kill_help[];
extern const char cmd_list_help[];
extern const char cmd_stats_help[];
extern const char cmd_console_help[];
extern const char cmd_monitor_help[];
extern const char cmd_connect_help[];

#endif /* HVCTL_H */
