/* A guest's WASI context: arguments, environment, stdio and preopened directories. */
#include <stdlib.h>
#include <string.h>

#include "wasi/wasi_impl.h"

static uint16_t add_stdio(burh_wasi *w, int host_fd)
{
    wasi_fd e;
    memset(&e, 0, sizeof e);
    e.keep_open = true;
    e.ops = &wasi_host_fs;
    e.node.fd = host_fd;
    e.filetype = wasi_host_filetype(host_fd);
    /* wasi-libc's isatty() is "a character device without the seek and tell rights", so a
     * terminal must lack them; a pipe keeps them and gets ESPIPE from the host, as native
     * code does; a redirected file has every file right. */
    if (e.filetype == WASI_FILETYPE_REGULAR_FILE)
        e.rights_base = WASI_RIGHTS_FILE;
    else if (e.filetype == WASI_FILETYPE_CHARACTER_DEVICE)
        e.rights_base = WASI_RIGHTS_TTY;
    else
        e.rights_base = WASI_RIGHTS_TTY | WASI_R_FD_SEEK | WASI_R_FD_TELL;
    uint32_t fd;
    return wasi_fd_insert(w, &e, &fd);
}

burh_wasi *burh_wasi_new(void)
{
    burh_wasi *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    for (int fd = 0; fd < 3; fd++) {
        if (add_stdio(w, fd) != WASI_ESUCCESS) {
            burh_wasi_free(w);
            return NULL;
        }
    }
    return w;
}

static void strings_free(wasi_strings *s)
{
    for (uint32_t i = 0; i < s->count; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

void burh_wasi_free(burh_wasi *w)
{
    if (w == NULL)
        return;
    for (uint32_t i = 0; i < w->nfds; i++)
        wasi_fd_release(&w->fds[i]);
    free(w->fds);
    strings_free(&w->args);
    strings_free(&w->env);
    free(w->bindings);
    free(w);
}

static burh_wasi_status strings_add(wasi_strings *s, bw_name str)
{
    if (memchr(str.ptr, '\0', str.len) != NULL || s->count >= BURH_WASI_MAX_ARGS)
        return BURH_WASI_ERR_ARG;
    if (str.len >= BURH_WASI_MAX_ARG_BYTES || s->bytes + str.len + 1 > BURH_WASI_MAX_ARG_BYTES)
        return BURH_WASI_ERR_ARG;
    char *copy = malloc(str.len + 1);
    char **items = realloc(s->items, ((size_t)s->count + 1) * sizeof *items);
    if (copy == NULL || items == NULL) {
        free(copy);
        if (items != NULL)
            s->items = items;
        return BURH_WASI_ERR_NOMEM;
    }
    memcpy(copy, str.ptr, str.len);
    copy[str.len] = '\0';
    items[s->count++] = copy;
    s->items = items;
    s->bytes += str.len + 1;
    return BURH_WASI_OK;
}

burh_wasi_status burh_wasi_add_arg(burh_wasi *w, bw_name arg)
{
    return strings_add(&w->args, arg);
}

burh_wasi_status burh_wasi_add_env(burh_wasi *w, bw_name entry)
{
    if (entry.len == 0 || memchr(entry.ptr, '=', entry.len) == NULL || entry.ptr[0] == '=')
        return BURH_WASI_ERR_ARG;
    return strings_add(&w->env, entry);
}

burh_wasi_status wasi_add_preopen_node(burh_wasi *w, const wasi_fs_ops *ops, wasi_node root,
                                       bw_name guest_name)
{
    if (guest_name.len == 0 || guest_name.len > 4096 ||
        memchr(guest_name.ptr, '\0', guest_name.len) != NULL)
        return BURH_WASI_ERR_ARG;
    wasi_fd e;
    memset(&e, 0, sizeof e);
    e.ops = ops;
    e.node = root;
    e.filetype = WASI_FILETYPE_DIRECTORY;
    e.rights_base = WASI_RIGHTS_DIR;
    e.rights_inheriting = WASI_RIGHTS_DIR | WASI_RIGHTS_FILE;
    e.preopen = malloc(guest_name.len);
    e.preopen_len = guest_name.len;
    uint32_t fd;
    if (e.preopen == NULL || wasi_fd_insert(w, &e, &fd) != WASI_ESUCCESS) {
        free(e.preopen);
        return BURH_WASI_ERR_NOMEM;
    }
    memcpy(w->fds[fd].preopen, guest_name.ptr, guest_name.len);
    return BURH_WASI_OK;
}

burh_wasi_status burh_wasi_add_preopen(burh_wasi *w, bw_name host_path, bw_name guest_name)
{
    if (host_path.len == 0 || memchr(host_path.ptr, '\0', host_path.len) != NULL)
        return BURH_WASI_ERR_ARG;
    char *host = strndup((const char *)host_path.ptr, host_path.len);
    if (host == NULL)
        return BURH_WASI_ERR_NOMEM;
    wasi_node root;
    uint16_t werr = wasi_host_open_dir(host, &root);
    free(host);
    if (werr != WASI_ESUCCESS)
        return BURH_WASI_ERR_HOST_DIR;
    burh_wasi_status st = wasi_add_preopen_node(w, &wasi_host_fs, root, guest_name);
    if (st != BURH_WASI_OK)
        wasi_host_fs.close(root);
    return st;
}

const char *burh_wasi_status_name(burh_wasi_status status)
{
    switch (status) {
    case BURH_WASI_OK:
        return "ok";
    case BURH_WASI_ERR_NOMEM:
        return "out of memory";
    case BURH_WASI_ERR_ARG:
        return "bad argument";
    case BURH_WASI_ERR_HOST_DIR:
        return "cannot open host directory";
    case BURH_WASI_ERR_NOSPACE:
        return "in-memory file system full";
    case BURH_WASI_ERR_EXISTS:
        return "path exists as another kind of file";
    }
    return "unknown status";
}
