// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for connection files: kc_conn_read() on arbitrary bytes either fails with a
 * message or fills every field within its bounds (ports 1..65535, NUL-terminated strings). */
#include <string.h>

#include "kernelclient/kc.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_conninfo ci;
	struct kc_error err = {0};

	if (kc_conn_read(fuzz_file("conn.json", data, size), &ci, &err) < 0) {
		if (!err.text[0])
			abort();
		return 0;
	}
	if (ci.shell_port <= 0 || ci.shell_port > 65535 || ci.hb_port <= 0 || ci.hb_port > 65535 ||
	    !memchr(ci.key, 0, sizeof ci.key) || !memchr(ci.ip, 0, sizeof ci.ip) ||
	    (strcmp(ci.transport, "tcp") && strcmp(ci.transport, "ipc")))
		abort();
	return 0;
}
