// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Reading the config file and `:set`: a flat `key = value` format, every key validated, unknown
 * keys reported with file and line so a typo does not silently do nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/config.h"
#include "tui/mime.h"

const char *const config_keys[] = {"save_attribution", "output_limit", "theme", "fold_height",
				   "mouse", "autosave_interval", "attribution_view", "agent",
				   "routing", "key_style", "images", "image_rows", "extended_keys",
				   "osc52", "line_numbers", NULL};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->save_attribution = 1;
	c->output_limit = 10u << 20;
	snprintf(c->theme, sizeof c->theme, "default");
	c->fold_height = 20;
	c->autosave_interval = 30;
	c->agent = 1;
	snprintf(c->routing, sizeof c->routing, "kernel");
	snprintf(c->key_style, sizeof c->key_style, "jupyter");
	c->images = MIME_IMG_AUTO;
	c->image_rows = MIME_IMAGE_ROWS;
	c->extended_keys = 1;
}

void config_path(char *buf, size_t size)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		snprintf(buf, size, "%s/bobbin/config", x);
	else
		snprintf(buf, size, "%s/.config/bobbin/config", home ? home : "");
}

int config_vim_alias(char *key, size_t keysize, const char **value)
{
	int on = !strcmp(key, "number") || !strcmp(key, "nu");

	if (**value || (!on && strcmp(key, "nonumber") && strcmp(key, "nonu")))
		return 0;
	snprintf(key, keysize, "line_numbers");
	*value = on ? "true" : "false";
	return 1;
}

long long config_parse_size(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	int shift = 0;

	switch (tolower((unsigned char)*end)) {
	case 'k': shift = 10; end++; break;
	case 'm': shift = 20; end++; break;
	case 'g': shift = 30; end++; break;
	}
	if (v > LLONG_MAX >> shift)
		return -1; /* would overflow */
	v <<= shift;
	if (*end == 'b' || *end == 'B')
		end++;
	return *end ? -1 : v;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false",
										 "no", "off"};

	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || *end || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int valid_policy(const char *p)
{
	return !strcmp(p, "kernel") || !strcmp(p, "origin") || !strcmp(p, "current") ||
	       !strcmp(p, "auto");
}

int config_set(struct config *c, const char *key, const char *v, char *err, size_t n)
{
	long long sz;

#define BAD(...) return snprintf(err, n, __VA_ARGS__), -1
	if (!strcmp(key, "save_attribution")) {
		if (parse_bool(v, &c->save_attribution))
			BAD("save_attribution: \"%s\" is not true or false", v);
	} else if (!strcmp(key, "output_limit")) {
		if ((sz = config_parse_size(v)) < 0)
			BAD("output_limit: \"%s\" is not a size (e.g. 10M, 0 for unlimited)", v);
		c->output_limit = (size_t)sz;
	} else if (!strcmp(key, "theme")) {
		if (!*v || strlen(v) >= sizeof c->theme)
			BAD("theme: invalid name \"%s\"", v);
		snprintf(c->theme, sizeof c->theme, "%s", v);
	} else if (!strcmp(key, "fold_height")) {
		if (parse_int(v, 1, 100000, &c->fold_height))
			BAD("fold_height: \"%s\" is not a number of lines ≥ 1", v);
	} else if (!strcmp(key, "mouse")) {
		if (parse_bool(v, &c->mouse))
			BAD("mouse: \"%s\" is not true or false", v);
	} else if (!strcmp(key, "autosave_interval")) {
		if (parse_int(v, 0, 86400, &c->autosave_interval))
			BAD("autosave_interval: \"%s\" is not a number of seconds", v);
	} else if (!strcmp(key, "attribution_view")) {
		if (parse_bool(v, &c->attribution_view))
			BAD("attribution_view: \"%s\" is not true or false", v);
	} else if (!strcmp(key, "agent")) {
		if (parse_bool(v, &c->agent))
			BAD("agent: \"%s\" is not true or false", v);
	} else if (!strcmp(key, "routing")) {
		if (!valid_policy(v))
			BAD("routing: \"%s\" is not one of kernel, origin, current, auto", v);
		snprintf(c->routing, sizeof c->routing, "%s", v);
	} else if (!strcmp(key, "key_style")) {
		if (strcmp(v, "jupyter"))
			BAD("key_style: \"%s\" is not known (jupyter)", v);
		snprintf(c->key_style, sizeof c->key_style, "%s", v);
	} else if (!strcmp(key, "images")) {
		int m = mime_images_parse(v);

		if (m < 0)
			BAD("images: \"%s\" is not one of auto, kitty, sixel, iterm, symbols, none", v);
		c->images = m;
	} else if (!strcmp(key, "image_rows")) {
		if (parse_int(v, 1, 1000, &c->image_rows))
			BAD("image_rows: \"%s\" is not a number of rows ≥ 1", v);
	} else if (!strcmp(key, "extended_keys")) {
		if (parse_bool(v, &c->extended_keys))
			BAD("extended_keys: \"%s\" is not true or false", v);
	} else if (!strcmp(key, "osc52")) {
		if (parse_bool(v, &c->osc52))
			BAD("osc52: \"%s\" is not true or false", v);
	} else if (!strcmp(key, "line_numbers")) {
		if (parse_bool(v, &c->line_numbers))
			BAD("line_numbers: \"%s\" is not true or false", v);
	} else {
		BAD("unknown key \"%s\"", key);
	}
#undef BAD
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

void config_load(struct config *c, const char *path, config_warn_cb *warn, void *ud)
{
	char def[4096], line[4096], msg[4600], err[300];
	FILE *f;
	int lineno = 0;

	if (!path) {
		config_path(def, sizeof def);
		path = def;
	}
	if (!(f = fopen(path, "r"))) {
		if (errno != ENOENT && warn) {
			snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
			warn(msg, ud);
		}
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *s = trim(line), *eq;

		lineno++;
		if (!*s || *s == '#')
			continue;
		if (!(eq = strchr(s, '='))) {
			snprintf(msg, sizeof msg, "%s:%d: expected key = value", path, lineno);
			if (warn)
				warn(msg, ud);
			continue;
		}
		*eq = 0;
		if (config_set(c, trim(s), trim(eq + 1), err, sizeof err) < 0 && warn) {
			snprintf(msg, sizeof msg, "%s:%d: %s", path, lineno, err);
			warn(msg, ud);
		}
	}
	fclose(f);
}
