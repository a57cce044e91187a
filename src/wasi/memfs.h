/* The in-memory file system's nodes, budget and confined path resolution. */
#ifndef BURH_WASI_MEMFS_H
#define BURH_WASI_MEMFS_H

#include "wasi/wasi_impl.h"

#define MEMFS_MAX_LINKS 40u /* symlinks followed in one lookup, as Linux; more is ELOOP */
#define MEMFS_DEV       0x6d656dull
#define MEMFS_MAX_NLINK 65000u

typedef enum { MN_DIR, MN_FILE, MN_LINK } mnode_kind;

struct mnode;

typedef struct mentry {
    char *name;
    uint32_t len;
    uint64_t cookie; /* readdir position after this entry; never reused within a directory */
    struct mnode *node;
} mentry;

typedef struct mnode {
    struct burh_wasi_memfs *fs;
    struct mnode *prev, *next; /* every node of the fs, so teardown needs no recursion */
    uint8_t kind;
    bool readonly;
    uint64_t ino;
    uint32_t links; /* directory entries naming it (the root counts one for itself) */
    uint32_t opens; /* guest descriptors on it */
    uint64_t atim, mtim, ctim;
    uint8_t *data; /* file contents or symlink target */
    uint64_t size, cap;
    mentry *ents; /* directory entries, in cookie order */
    uint32_t nents, capents;
    uint64_t next_cookie;
    struct mnode *parent; /* directory: where ".." goes; NULL for the root or once removed */
} mnode;

struct burh_wasi_memfs {
    uint64_t budget, max_file, used, next_ino;
    uint32_t refs;
    mnode *root, *all;
};

/* An open guest descriptor on a memfs node (wasi_node.ptr). */
typedef struct mhandle {
    mnode *node;
    uint64_t pos;
    uint16_t fdflags;
    bool read, write;
} mhandle;

/* Where a path led: `dir` holds the last component `name` (NULL when the path ends in "."
 * or ".."), `node` is what it names or NULL when missing. */
typedef struct mres {
    mnode *dir;
    const char *name;
    size_t len;
    mnode *node;
    bool trailing_slash;
    char *buf;
} mres;

uint64_t memfs_now(void);
/* Takes `delta` more bytes from the budget, or returns false (nothing taken). */
bool memfs_charge(struct burh_wasi_memfs *fs, uint64_t delta);
void memfs_uncharge(struct burh_wasi_memfs *fs, uint64_t delta);
mnode *memfs_node_new(struct burh_wasi_memfs *fs, mnode_kind kind);
/* Frees `n` once no entry names it and no descriptor holds it. */
void memfs_node_maybe_free(mnode *n);
mnode *memfs_lookup(mnode *dir, const char *name, size_t len);
uint16_t memfs_entry_add(mnode *dir, const char *name, size_t len, mnode *node);
/* Removes the entry and drops its link (the node may be freed). */
void memfs_entry_remove(mnode *dir, const char *name, size_t len);
/* Sets a file's size, zero-filling growth; ENOSPC / EFBIG past the limits. */
uint16_t memfs_resize(mnode *n, uint64_t size);

uint16_t memfs_resolve(mnode *start, const char *path, size_t len, bool follow_last, mres *out);
void memfs_res_done(mres *r);

/* Drops one reference to the fs; the last one frees every node. */
void memfs_unref(struct burh_wasi_memfs *fs);

/* A descriptor on `n` (holds `n` and the fs). NULL when out of memory. */
mhandle *memfs_handle_new(mnode *n, bool read, bool write);

#endif
