// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Editing habits of JupyterLab users that are not cell operations: Ctrl-/ comments the line out
 * in the notebook's language.
 */
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
