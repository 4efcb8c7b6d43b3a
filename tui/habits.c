// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Editing habits of JupyterLab users that are not cell operations: Ctrl-/ comments the line out
 * in the notebook's language; what loading the file repaired or will change is said on open.
 */
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/highlight.h"

void hb_comment(struct app *a)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur);

	if (!a->ed || !c)
		return;
	if (nb_cell_type(c) != NB_CODE) {
		app_msg(a, 0, "line comments are for code cells");
		return;
	}
	editor_toggle_comment(a->ed, hl_line_comment(app_lang_name(a)));
}

#define HELP_HINT " — h for help"

void hb_load_note(struct app *a)
{
	const struct nb_warnings *w = nb_doc_warnings(a->doc);
	json_t *ks = json_object_get(nb_doc_metadata(a->doc), "kernelspec");
	int minor = nb_doc_nbformat_minor(a->doc);
	char note[400] = "";
	size_t k;

	if (nb_doc_loading(a->doc))
		return; /* warnings are known once the whole file is read */
	if (w && w->n)
		snprintf(note, sizeof note, "%zu load warning%s: %s%s", w->n, w->n > 1 ? "s" : "",
		         w->text[0], w->n > 1 ? " …" : "");
	else if (minor < 5 && nb_doc_path(a->doc))
		snprintf(
		    note, sizeof note,
		    "nbformat 4.%d: upgraded to 4.5 (cell ids added) when saved after a change",
		    minor);
	else if (!json_is_object(ks) && nb_doc_path(a->doc))
		snprintf(
		    note, sizeof note,
		    "no kernelspec in the file: the kernel's is written when a cell first runs");
	if (!note[0])
		return;
	k = strlen(a->msg);
	if (k >= strlen(HELP_HINT) && !strcmp(a->msg + k - strlen(HELP_HINT), HELP_HINT))
		k -= strlen(HELP_HINT); /* the note matters more than the hint */
	snprintf(a->msg + k, sizeof a->msg - k, "%s%s", k ? " — " : "", note);
	a->msg_err = 0;
	a->need_draw = 1;
}
