// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The pager: a cell's whole output (O), or the help screen (h, ?, F1, :help), laid out once
 * when opened and scrolled with the pager's keys (j/k, Space/b, g/G, q closes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

struct pager {
	struct rd_layout lay;
	long top; /* first row shown */
	int help;
	json_t *own; /* outputs the layout was made from, when they are the pager's */
};

static void pager_leave(struct app *a, void *data)
{
	struct pager *p = data;

	rd_layout_clear(&p->lay);
	json_decref(p->own);
	free(p);
}

/* Opens the pager on outputs laid out whole (own: the pager keeps a reference to them); 0, or
 * -1 when out of memory. */
static int pager_open_outputs(struct app *a, json_t *outputs, int own)
{
	struct rd_cell_in in;
	struct pager *p;
	size_t r;

	if (!(p = calloc(1, sizeof *p)))
		return -1;
	if (own)
		p->own = json_incref(outputs);
	memset(&in, 0, sizeof in);
	in.type = NB_CODE;
	in.src = "";
	in.outputs = outputs;
	in.exec_count = -1;
	in.width = a->cols;
	in.gutter = 1;
	in.unfolded = 1;
	in.ascii = !a->utf8;
	struct mime_opts mo; /* images as tall as the screen */
	app_mime_opts(a, &mo, 1);
	in.mime = &mo;
	if (rd_cell(&in, &p->lay) < 0) {
		pager_leave(a, p);
		return -1;
	}
	for (r = 0; r < p->lay.nrows && p->lay.rows[r].kind != RD_ROW_OUTPUT; r++)
		;
	p->top = (long)r;
	mode_push(a, &mode_pager, p);
	return 0;
}

void pager_open_output(struct app *a)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur);

	if (!c || nb_cell_type(c) != NB_CODE || !json_array_size(nb_cell_outputs(c))) {
		app_msg(a, 0, "this cell has no output");
		return;
	}
	nb_out_sync(a->out);
	if (pager_open_outputs(a, nb_cell_outputs(c), 0) == 0)
		app_msg(a, 0, "output of cell %zu: q closes, Space/b pages, g/G ends", a->cur + 1);
}

void pager_open_page(struct app *a, json_t *data)
{
	json_t *outs = json_pack("[{s:s, s:O, s:{}}]", "output_type", "display_data", "data", data,
	                         "metadata");

	if (outs && pager_open_outputs(a, outs, 1) == 0)
		app_msg(a, 0, "help from the kernel: q closes, Space/b pages, g/G ends");
	json_decref(outs);
}

void pager_open_help(struct app *a)
{
	struct pager *p = calloc(1, sizeof *p);

	if (!p)
		return;
	act_help(&p->lay);
	p->help = 1;
	app_edit_stop(a);
	mode_push(a, &mode_pager, p);
}

static void pager_scroll(struct app *a, struct pager *p, long d)
{
	long H = view_text_rows(a);

	p->top += d;
	if (p->top > (long)p->lay.nrows - H)
		p->top = (long)p->lay.nrows - H;
	if (p->top < 0)
		p->top = 0;
	a->need_draw = 1;
}

static void pager_move(struct app *a, void *data, enum mode_move how)
{
	struct pager *p = data;
	long H = view_text_rows(a);

	switch (how) {
	case MOVE_TOP:
		p->top = 0;
		a->need_draw = 1;
		break;
	case MOVE_BOTTOM:
		p->top = (long)p->lay.nrows > H ? (long)p->lay.nrows - H : 0;
		a->need_draw = 1;
		break;
	case MOVE_PAGE_UP:
		pager_scroll(a, p, -(H - 1));
		break;
	case MOVE_PAGE_DOWN:
		pager_scroll(a, p, H - 1);
		break;
	case MOVE_LINE_UP:
		pager_scroll(a, p, -1);
		break;
	case MOVE_LINE_DOWN:
		pager_scroll(a, p, 1);
		break;
	}
}

static enum mode_result pager_key(struct app *a, void *data, const struct key *k)
{
	if (k->code == K_MOUSE) {
		if (k->mouse.button != KB_WHEEL_UP && k->mouse.button != KB_WHEEL_DOWN)
			return MODE_IGNORED;
		pager_scroll(a, data, k->mouse.button == KB_WHEEL_UP ? -3 : 3);
		return MODE_REDRAW;
	}
	return act_bound(a, KM_PAGER, k);
}

static void pager_draw(struct app *a, void *data, struct mode_cursor *cur)
{
	struct pager *p = data;

	view_layout(a, &p->lay, p->top);
}

static void pager_status(struct app *a, void *data, struct mode_status *st)
{
	st->label = ((struct pager *)data)->help ? "HELP" : "PAGER";
}

const struct mode mode_pager = {
    .name = "pager",
    .leave = pager_leave,
    .key = pager_key,
    .draw = pager_draw,
    .status = pager_status,
    .motion = pager_move,
};
