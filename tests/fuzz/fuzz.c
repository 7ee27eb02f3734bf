// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The private tree lives under $TMPDIR (tests/fuzz/run points it at a
 * directory of its own that it removes, since a crashing fuzzer exits
 * without running atexit handlers).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "tests/fuzz/fuzz.h"

static char root[PATH_MAX];
static char **files;	/* paths inside the tree, "/sys/..." */
static size_t nfiles;
static size_t listed_from;	/* strlen(root) */
static const char *changed;
static char *saved;
static size_t saved_len;

static void die(const char *what)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, strerror(errno));
	exit(1);
}

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		die("malloc");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char **more;

	if (type != FTW_F)
		return 0;
	more = realloc(files, (nfiles + 1) * sizeof(*files));
	if (!more || !(more[nfiles] = strdup(path + listed_from)))
		die("malloc");
	files = more;
	nfiles++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run a command without a shell (the paths may hold any byte): 0 if it succeeded. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void remove_tree(void)
{
	if (root[0] && run((char *const[]){ "rm", "-rf", "--", root, NULL }))
		fprintf(stderr, "fuzz: cannot remove %s\n", root);
}

void fuzz_tree_init(const char *fixture, const char *under)
{
	const char *tmp = getenv("TMPDIR");
	char src[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];

	snprintf(root, sizeof(root), "%s/numakit-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		die("mkdtemp");
	atexit(remove_tree);
	if (!fixture)
		return;
	/* FUZZ_SRCDIR: the top of the source tree, set by tests/fuzz/fuzz.mk. */
	snprintf(src, sizeof(src), "%s/%s/.", FUZZ_SRCDIR, fixture);
	snprintf(dst, sizeof(dst), "%s/", root);
	if (run((char *const[]){ "cp", "-a", "--", src, dst, NULL })) {
		errno = EIO;
		die(src);
	}
	if (sysroot_set(root) < 0)
		die("sysroot_set");
	listed_from = strlen(root);
	snprintf(dir, sizeof(dir), "%s%s", root, under);
	if (nftw(dir, add_file, 16, FTW_PHYS) < 0)
		die(dir);
	if (!nfiles) {
		errno = ENOENT;
		die(dir);
	}
	qsort(files, nfiles, sizeof(*files), cmp_str);
}

const char *fuzz_tree_root(void)
{
	return root;
}

static void write_all(const char *rel, const void *data, size_t size)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		die(path);
	close(fd);
}

void fuzz_tree_write(const char *rel, const void *data, size_t size)
{
	write_all(rel, data, size);
}

const char *fuzz_tree_set(const uint8_t *data, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	fuzz_tree_restore();
	if (!size)
		return NULL;
	changed = files[data[0] % nfiles];
	snprintf(path, sizeof(path), "%s%s", root, changed);
	free(saved);
	saved = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -errno : sysroot_read_fd(fd, &saved);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		errno = (int)-n;
		die(path);
	}
	saved_len = (size_t)n;
	write_all(changed, data + 1, size - 1);
	return changed;
}

void fuzz_tree_restore(void)
{
	if (!changed)
		return;
	write_all(changed, saved, saved_len);
	changed = NULL;
}
