/* The guest's descriptor table: slots, rights checks, close and renumber. */
#include <stdlib.h>
#include <string.h>

#include "wasi/wasi_impl.h"

uint16_t wasi_fd_get(burh_wasi *w, uint32_t fd, uint64_t need, wasi_fd **out)
{
    if (fd >= w->nfds || !w->fds[fd].used)
        return WASI_EBADF;
    wasi_fd *e = &w->fds[fd];
    if ((e->rights_base & need) != need)
        return WASI_ENOTCAPABLE;
    *out = e;
    return WASI_ESUCCESS;
}

uint16_t wasi_fd_insert(burh_wasi *w, const wasi_fd *entry, uint32_t *fd_out)
{
    uint32_t slot = 0;
    while (slot < w->nfds && w->fds[slot].used)
        slot++;
    if (slot == w->nfds) {
        if (w->nfds >= BURH_WASI_MAX_FDS)
            return WASI_EMFILE;
        uint32_t grown = w->nfds < 8 ? 8 : w->nfds * 2;
        if (grown > BURH_WASI_MAX_FDS)
            grown = BURH_WASI_MAX_FDS;
        wasi_fd *fds = realloc(w->fds, (size_t)grown * sizeof *fds);
        if (fds == NULL)
            return WASI_ENOMEM;
        memset(fds + w->nfds, 0, (size_t)(grown - w->nfds) * sizeof *fds);
        w->fds = fds;
        w->nfds = grown;
    }
    w->fds[slot] = *entry;
    w->fds[slot].used = true;
    *fd_out = slot;
    return WASI_ESUCCESS;
}

void wasi_fd_release(wasi_fd *e)
{
    if (!e->used)
        return;
    if (!e->keep_open)
        e->ops->close(e->node);
    free(e->preopen);
    free(e->label);
    memset(e, 0, sizeof *e);
}

uint16_t wasi_fd_close(burh_wasi *w, uint32_t fd)
{
    if (fd >= w->nfds || !w->fds[fd].used)
        return WASI_EBADF;
    wasi_fd *e = &w->fds[fd];
    uint16_t werr = e->keep_open ? WASI_ESUCCESS : e->ops->close(e->node);
    e->keep_open = true; /* closed above (or never ours): release must not close again */
    wasi_fd_release(e);
    /* The descriptor is gone even when close reports an error, as with POSIX close. */
    return werr == WASI_EINTR ? WASI_ESUCCESS : werr;
}

uint16_t wasi_fd_renumber(burh_wasi *w, uint32_t from, uint32_t to)
{
    if (from >= w->nfds || !w->fds[from].used || to >= w->nfds || !w->fds[to].used)
        return WASI_EBADF;
    if (from == to)
        return WASI_ESUCCESS;
    wasi_fd_release(&w->fds[to]);
    w->fds[to] = w->fds[from];
    memset(&w->fds[from], 0, sizeof w->fds[from]);
    return WASI_ESUCCESS;
}
