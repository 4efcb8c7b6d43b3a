// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The output model: turns the kernel's iopub messages into nbformat outputs of the right cells of
 * an nb_doc, with JupyterLab's output-area semantics, and records where every output came from
 * (provenance: parent request, late, cross-cell, stray, producing thread, origin cell). Shared by
 * every front end (headless runner, console, notebook screen). jansson only: messages come in as
 * msg_type + parent msg_id + content/metadata objects, not as kernelclient types.
 *
 * Flow: the front end registers each request it sends (nb_out_request), then feeds every shell
 * reply (nb_out_reply) and every iopub message (nb_out_iopub). Output lands in the cell of its
 * parent request; output whose parent is not a cell execution (complete, kernel_info, comm, a silent
 * execute, an unknown msg_id) is "stray" and lands at the latest executed cell, never dropped;
 * with no such cell, in a stray-output cell appended to the notebook.
 *
 * Stream text is processed as JupyterLab >= 4.3 does (a cursor into the stream: "\r" goes to the
 * start of the line and later text overwrites, "\b" deletes the character before the cursor unless
 * it is a newline, "\n" appends a newline at the end), across the chunks of every writer that
 * continue the same stream output, and kept in a growable buffer per cell, so a
 * flood of small messages costs amortised O(1) each. The buffer is copied into the cell's json
 * "text" lazily: call nb_out_sync() before reading a cell's outputs or saving the document.
 * docs/attribution.md describes the provenance saved in cell metadata.
 */
#ifndef BOBBIN_NB_OUTPUT_H
#define BOBBIN_NB_OUTPUT_H

#include <stddef.h>
#include <jansson.h>

#include "notebook/nb.h"

struct nb_out;

/* What a request the front end sent was for. Only NB_REQ_EXECUTE with a cell id is a "cell
 * execution"; output parented to any other request is stray. */
enum nb_req_kind {
	NB_REQ_EXECUTE,     /* a visible execute_request (with a cell id: a cell execution) */
	NB_REQ_SILENT,      /* a silent execute the front end sent for itself (agent, prompt number) */
	NB_REQ_COMPLETE,
	NB_REQ_INSPECT,
	NB_REQ_KERNEL_INFO,
	NB_REQ_COMM,        /* comm_open / comm_msg / comm_info sent by the front end */
	NB_REQ_OTHER,       /* history, is_complete, control requests, … */
	NB_REQ_FOREIGN      /* never passed in: an execution seen only through its execute_input
	                     * (another client's); the model registers it itself */
};

/* Provenance flags. */
enum {
	NB_PROV_LATE = 1u << 0,       /* its parent request had already gone idle */
	NB_PROV_CROSS_CELL = 1u << 1, /* another cell was executing when it arrived */
	NB_PROV_STRAY = 1u << 2,      /* parent is not one of our cell executions (or is unknown) */
	NB_PROV_FOREIGN = 1u << 3,    /* parent is another client's execution (seen execute_input) */
	NB_PROV_ORPHAN = 1u << 4,     /* its parent's cell was deleted; it landed elsewhere */
	NB_PROV_THREAD = 1u << 5,     /* thread_* fields come from the routing agent's metadata */
	NB_PROV_LOADED = 1u << 6,     /* was in the notebook when loaded (msg_id unknown); any other
	                               * field comes from the saved attribution */
	NB_PROV_STDIN = 1u << 7       /* the echo of an answered input_request */
};

/* Where one output came from. Strings are borrowed from the model (valid until nb_out_free);
 * any of them may be NULL when unknown. */
struct nb_prov {
	unsigned flags;
	const char *msg_id;        /* parent msg_id of the message that created the output */
	const char *parent_cell;   /* cell id of that parent request, if it was a cell execution */
	const char *origin_msg_id; /* metadata.bobbin.origin: the request that started the thread */
	const char *origin_cell;   /* that request's cell id (through the request table) */
	const char *origin_kind;   /* "thread", "pool", "asyncio", "explicit", "main" */
	const char *policy;        /* routing policy the agent applied */
	const char *thread_name;   /* valid with NB_PROV_THREAD (name may still be NULL) */
	long long thread_ident;
	long long thread_native_id; /* -1 when not given */
};

/* A new model for doc (borrowed: must outlive the model). Caller frees. NULL on no memory. */
struct nb_out *nb_out_new(struct nb_doc *doc);
void nb_out_free(struct nb_out *m);

/* Per-cell memory bound in bytes (default 10 MB; 0 = unlimited); applies to outputs added after
 * the call. The stream being written keeps half of it: beyond that its middle is replaced by one
 * line "… [bobbin: N bytes / M lines dropped] …". A cell's outputs (64 bytes each plus their
 * strings) keep the whole: beyond it, outputs after the head are replaced by one marker output
 * "… [bobbin: N bytes / M lines / K outputs dropped] …". Nothing goes without a marker. */
void nb_out_set_limit(struct nb_out *m, size_t bytes);
/* Whether provenance is written to cell metadata (metadata.bobbin.attribution); default on. */
void nb_out_set_save_attribution(struct nb_out *m, int on);
/* Where output of another client's execution lands: 1 (default) at the latest executed cell,
 * flagged NB_PROV_FOREIGN | NB_PROV_STRAY; 0 in the unplaced list (nb_out_unplaced). */
void nb_out_set_place_foreign(struct nb_out *m, int on);
/* Where output with no cell to land in goes (no cell of ours executed yet, or its cell was deleted
 * and no other cell ran): 1 (default) in a code cell appended to the notebook and marked
 * metadata.bobbin.stray_outputs (reused while it exists); 0 in the unplaced list. */
void nb_out_set_stray_cell(struct nb_out *m, int on);

/* Called once per cell when it changes after the last nb_out_sync() (cell_id borrowed for the
 * call). Model code never draws: the callback should only mark the cell for redraw. */
typedef void (*nb_out_notify_cb)(void *ud, const char *cell_id);
void nb_out_set_notify(struct nb_out *m, nb_out_notify_cb cb, void *ud);

/* Registers a request the front end sent (msg_id copied; cell_id copied, NULL when not for a
 * cell). A cell execution (NB_REQ_EXECUTE with a cell id) clears that cell's outputs and execution
 * count, as JupyterLab does when a cell is run. 0, or -1 on bad arguments / no memory. */
int nb_out_request(struct nb_out *m, const char *msg_id, const char *cell_id,
		   enum nb_req_kind kind);
/* The shell reply to a registered request (content borrowed). execute_reply sets the cell's
 * execution_count. 0, or -1 when msg_id is unknown. */
int nb_out_reply(struct nb_out *m, const char *msg_id, const char *msg_type,
		 const json_t *content);
/* Every iopub message (content and metadata borrowed, metadata may be NULL; parent_msg_id NULL or
 * "" when the message has no parent). status busy/idle track requests; stream, display_data,
 * update_display_data, execute_result, error and clear_output change outputs; execute_input sets
 * the execution count. Returns 1 if some cell changed, 0 if not, -1 on bad arguments. */
int nb_out_iopub(struct nb_out *m, const char *msg_type, const char *parent_msg_id,
		 const json_t *content, const json_t *metadata);
/* Echoes an answered input_request into the outputs as JupyterLab does: a stream named "stdin"
 * with the prompt and the value (eight dots instead of a password) and a newline. request_msg_id is
 * the input_request's parent (the execute request). 1/0/-1 as nb_out_iopub. */
int nb_out_stdin(struct nb_out *m, const char *request_msg_id, const char *prompt,
		 const char *value, int password);

/* The line nb_out_lost() adds. */
#define NB_OUT_LOST_TEXT "[output may be missing: some of the kernel's messages never arrived]\n"
/* A registered request finished without its status: idle (kc_client_output_lost()): adds
 * NB_OUT_LOST_TEXT to its cell as stderr and counts the request as idle, so it is done once
 * replied. 1/0/-1 as nb_out_iopub (-1 also when msg_id is unknown). */
int nb_out_lost(struct nb_out *m, const char *msg_id);

/* Clears a cell's outputs now (a user action), with their provenance. 0, or -1 if no such cell. */
int nb_out_clear_cell(struct nb_out *m, const char *cell_id);

/* Writes buffered stream text into the cells' json outputs, refreshes saved attribution and
 * resets change notification. Call before reading nb_cell_outputs() of a changed cell, before
 * saving, and once per redraw. Returns how many cells it wrote. */
size_t nb_out_sync(struct nb_out *m);
/* As nb_out_sync(), except that the text of a stream that is still growing stays in its buffer
 * (a redraw during a flood would otherwise copy all of it every time): read it with
 * nb_out_live(). A later nb_out_sync() writes it. */
size_t nb_out_sync_lazy(struct nb_out *m);
/* The cell's growing stream output, if it has one: the output object (*out, whose "text" may be
 * stale after nb_out_sync_lazy), its current text (*text, not NUL-terminated, *len bytes) and
 * its number of lines (a last line without "\n" counts). All borrowed until the next change.
 * 1, or 0 when the cell has none. */
int nb_out_live(struct nb_out *m, const char *cell_id, const json_t **out, const char **text,
		size_t *len, size_t *lines);

/* The cell id of a registered cell execution msg_id (borrowed until nb_out_free), NULL when the
 * request is unknown or not a cell execution. Maps a thread's origin to a cell before the thread
 * printed anything. */
const char *nb_out_request_cell(struct nb_out *m, const char *msg_id);

/* 1 while a request for the cell is pending (sent, not both replied and idle), else 0. */
int nb_out_cell_busy(struct nb_out *m, const char *cell_id);
/* 1 when the request got both its reply and idle, 0 if not yet, -1 if unknown. */
int nb_out_request_done(struct nb_out *m, const char *msg_id);

/* Provenance of output index of the cell (borrowed until the cell's outputs change). NULL when
 * there is no such cell or output. Outputs loaded from a file answer from saved attribution. */
const struct nb_prov *nb_out_prov(struct nb_out *m, const char *cell_id, size_t index);

/* A stream output continues with every chunk of its name until another output follows, as in
 * JupyterLab, whatever the chunks' provenance: nb_out_prov() answers for the first chunk, and the
 * k-th other provenance among its later chunks (distinct ones, in order of arrival, at most 16; a
 * chunk with a 17th starts a new output) is nb_out_prov_part(m, cell, index, k), NULL past the
 * last. Borrowed like nb_out_prov(). */
const struct nb_prov *nb_out_prov_part(struct nb_out *m, const char *cell_id, size_t index,
				       size_t k);
/* Provenance of the latest message that landed in the cell (the last output's, or of the part its
 * latest chunk brought). NULL when the cell has no outputs. */
const struct nb_prov *nb_out_last_prov(struct nb_out *m, const char *cell_id);

/* One entry of the jump list: an output whose origin cell differs from its cell, or that is late,
 * stray or cross-cell (an output is listed once per such provenance: its own and its parts'). */
struct nb_misrouted {
	const char *cell_id;
	size_t index;
	const struct nb_prov *prov;
};
/* The jump list in document order. *list is borrowed until the next call into the model. */
size_t nb_out_misrouted(struct nb_out *m, const struct nb_misrouted **list);

/* Outputs kept out of the notebook: those with no cell to land in when the stray-output cell is
 * off (nb_out_set_stray_cell(m, 0)), and foreign output with nb_out_set_place_foreign(m, 0), as
 * an nbformat outputs array. Borrowed. */
json_t *nb_out_unplaced(struct nb_out *m);

#endif
