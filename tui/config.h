// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The config file, $XDG_CONFIG_HOME/bobbin/config (else ~/.config/bobbin/config): `key = value`
 * lines, `#` comments. Unknown keys and bad values are warned about (file:line), never fatal.
 * The keys are listed in docs/config.md and the man page.
 */
#ifndef BOBBIN_CONFIG_H
#define BOBBIN_CONFIG_H

#include <stddef.h>

struct config {
	int save_attribution;     /* keep provenance in cell metadata on save */
	size_t output_limit;      /* bytes of text kept per cell; 0 = unlimited */
	char theme[64];
	int fold_height;          /* output lines shown before "… N more lines" */
	int mouse;
	int autosave_interval;    /* seconds between recovery-file writes; 0 = off */
	int attribution_view;     /* thread labels in the gutter */
	int agent;                /* install the routing agent on IPython kernels */
	char routing[16];         /* kernel-wide default policy */
	char key_style[16];       /* "jupyter" (the only one so far) */
	int images;               /* enum mime_images: how images are drawn */
	int image_rows;           /* most rows an image takes */
	int extended_keys;        /* ask the terminal for modifyOtherKeys / kitty key reports */
	int osc52;                /* copy to the system clipboard through OSC 52 */
	int line_numbers;         /* line numbers in code cells (:set number) */
};

typedef void config_warn_cb(const char *msg, void *ud);

void config_defaults(struct config *c);
/* The config file's path into buf. */
void config_path(char *buf, size_t size);
/* Reads path (NULL: config_path()); a missing file is not an error. Warnings go to warn. */
void config_load(struct config *c, const char *path, config_warn_cb *warn, void *ud);
/* Sets one key from text (for `:set` and the file). 0, or -1 with a reason in err. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errsize);
/* vim's spellings for :set: "number"/"nu" and "nonumber"/"nonu" with no value become
 * line_numbers true/false (key rewritten in place, *value pointed at the value). 1 if key was
 * one of them. */
int config_vim_alias(char *key, size_t keysize, const char **value);
/* Parses a size like 10M, 512k, 1000; -1 when invalid. */
long long config_parse_size(const char *s);
/* The known keys, NULL-terminated (for completion and docs). */
extern const char *const config_keys[];

#endif
