// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: writing and reading a partition's configuration file (format in
 * config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "runopts.h"

/* Appends to a growing string; NULL once out of memory. */
static char *append(char *s, size_t *len, const char *a, const char *b,
		    const char *c)
{
	size_t add = strlen(a) + strlen(b) + strlen(c) + 1;
	char *ns;

	if (!s)
		return NULL;
	ns = realloc(s, *len + add + 1);
	if (!ns) {
		free(s);
		return NULL;
	}
	sprintf(ns + *len, "%s%s%s\n", a, b, c);
	*len += add;
	return ns;
}

/*
 * The text of a configuration file for @o with IMAGE at @image.  Values
 * are single lines: run_opts_parse() took them from a command line, and
 * hvctl create refuses a newline in any.  NULL if out of memory.
 */
char *config_format(const char *name, const struct run_opts *o,
		    const char *image)
{
	size_t len = 0;
	char *s = calloc(1, 1);
	unsigned int i;
	int a;

	s = append(s, &len, "# hvpart partition \"", name,
		   "\": written by hvctl create, read by hvctl start.");
	s = append(s, &len, "# One setting a line: the options of hvctl run by their long",
		   "", "");
	s = append(s, &len, "# names, \"image PATH\", one \"arg WORD\" per guest argument.",
		   "", "");
	for (i = 0; i < o->nr_kv; i++)
		s = append(s, &len, o->kv[i].key, o->kv[i].val ? " " : "",
			   o->kv[i].val ? o->kv[i].val : "");
	s = append(s, &len, "image ", image, "");
	for (a = 0; a < o->nr_args; a++)
		s = append(s, &len, "arg ", o->args[a], "");
	return s;
}

void config_free(struct part_config *c)
{
	int i;

	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	c->argv = NULL;
	c->argc = 0;
}

static int push(struct part_config *c, const char *a, size_t len)
{
	char **nv = realloc(c->argv, (c->argc + 2) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	c->argv = nv;
	nv[c->argc] = strndup(a, len);
	if (!nv[c->argc])
		return -ENOMEM;
	nv[++c->argc] = NULL;
	return 0;
}

/* One line "KEY VALUE" into argv; 0, or -EINVAL for a bad line. */
static int config_line(struct part_config *c, char *line, char **image,
		       char ***args, int *nr_args)
{
	char *v = strchr(line, ' '), opt[64], **na;

	if (v)
		*v++ = '\0';
	if (!strcmp(line, "image")) {
		if (!v || !*v || *image)
			return -EINVAL;
		*image = strdup(v);
		return *image ? 0 : -ENOMEM;
	}
	if (!strcmp(line, "arg")) {
		na = realloc(*args, (*nr_args + 1) * sizeof(*na));
		if (!na)
			return -ENOMEM;
		*args = na;
		na[*nr_args] = strdup(v ? v : "");
		if (!na[*nr_args])
			return -ENOMEM;
		(*nr_args)++;
		return 0;
	}
	if (!*line || strlen(line) > 40 || !strchr("abcdefghijklmnopqrstuvwxyz", line[0]))
		return -EINVAL;
	snprintf(opt, sizeof(opt), "--%s", line);
	if (push(c, opt, strlen(opt)))
		return -ENOMEM;
	if (v && push(c, v, strlen(v)))
		return -ENOMEM;
	return 0;
}

/*
 * Reads the configuration file at @path into @c as an argv for
 * run_opts_parse().  Prints why it fails; config_free() either way.
 */
int config_load(const char *path, struct part_config *c)
{
	char *line = NULL, *image = NULL, **args = NULL;
	int nr_args = 0, ret, i;
	size_t cap = 0;
	unsigned int lineno = 0;
	ssize_t len;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->path = path;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		hvctl_err("cannot read %s: %s", path, strerror(errno));
		return ret;
	}
	ret = push(c, "start", 5);
	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		ret = config_line(c, line, &image, &args, &nr_args);
		if (ret == -EINVAL)
			hvctl_err("%s:%u: bad line (want KEY VALUE; see hvctl help create)",
				  path, lineno);
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		hvctl_err("cannot read %s", path);
	}
	if (!ret && !image) {
		ret = -EINVAL;
		hvctl_err("%s: no \"image PATH\" line", path);
	}
	if (!ret)
		ret = push(c, image, strlen(image));
	for (i = 0; !ret && i < nr_args; i++)
		ret = push(c, args[i], strlen(args[i]));
	if (ret == -ENOMEM)
		hvctl_err("out of memory");
	for (i = 0; i < nr_args; i++)
		free(args[i]);
	free(args);
	free(image);
	free(line);
	fclose(f);
	return ret;
}
