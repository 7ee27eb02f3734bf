/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).  Inputs are
 * copied into NUL-terminated buffers because the parsers take C strings;
 * parsers that read files through lib/sysroot get a private copy of a
 * captured tree (tests/fixtures) in which one file at a time is replaced by
 * the input, so the real readers run unchanged.
 */
#ifndef NUMAKIT_FUZZ_H
#define NUMAKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a malloc'd C string (a NUL inside it ends the string early). */
char *fuzz_str(const uint8_t *data, size_t size);

/*
 * Copy the source tree's fixture dir (relative to the top of the source
 * tree) into a private temporary directory, make it the sysroot and list
 * its regular files below `under` (a path inside the fixture, "" for all)
 * for fuzz_tree_set().  A NULL fixture gives an empty private directory
 * (the sysroot is left alone).  Exits the process on failure: a fuzzer
 * without its tree cannot run.
 */
void fuzz_tree_init(const char *fixture, const char *under);
/* The private copy, for paths the target builds itself. */
const char *fuzz_tree_root(void);
/*
 * data[0] picks one of the listed files, the rest of the input replaces
 * its content; returns the file's path inside the tree.  Size 0 changes
 * nothing and returns NULL.
 */
const char *fuzz_tree_set(const uint8_t *data, size_t size);
/* Put the file changed by the last fuzz_tree_set() back as it was. */
void fuzz_tree_restore(void);
/* Write data into DIR/rel of the private tree (the file is created). */
void fuzz_tree_write(const char *rel, const void *data, size_t size);

#endif
