/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON documents (what is not a table: pmbind's ranges, damonctl's status,
 * spmctl show) are built with json-c and printed one way by every tool.
 */
#ifndef NUMAKIT_DOC_H
#define NUMAKIT_DOC_H

#include <json-c/json.h>

/*
 * Print doc to stdout, pretty, without escaping '/', and a newline; flush.
 * 0, -ENOMEM when json-c cannot render it, or -errno of the failed write
 * (stdout keeps its error flag for msg_init()'s exit check).
 */
int doc_print(json_object *doc);

#endif
