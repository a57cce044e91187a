/* forward.c: syscalls the shim forwards to the host; user data is copied through the block and
 * every reply is checked (results in range, lengths no larger than asked) before the payload
 * sees it. A reply that breaks the ABI ends the keep: the host is not to be argued with. */
#include "shim/shim.h"

#define SYS_read            0
#define SYS_write           1
#define SYS_close           3
#define SYS_readv           19
#define SYS_writev          20
#define SYS_nanosleep       35
#define SYS_socket          41
#define SYS_connect         42
#define SYS_accept          43
#define SYS_shutdown        48
#define SYS_bind            49
#define SYS_listen          50
#define SYS_getsockname     51
#define SYS_setsockopt      54
#define SYS_fcntl           72
#define SYS_gettimeofday    96
#define SYS_time            201
#define SYS_clock_gettime   228
#define SYS_clock_nanosleep 230
#define SYS_accept4         288
#define SYS_fstat           5
#define SYS_sendto          44
#define SYS_recvfrom        45
#define SYS_sendmsg         46
#define SYS_recvmsg         47
#define SYS_getsockopt      55
#define SYS_newfstatat      262

#define AT_EMPTY_PATH 0x1000
#define S_IFMT        0170000u
#define S_IFIFO       0010000u
#define S_IFCHR       0020000u
#define S_IFREG       0100000u
#define S_IFSOCK      0140000u
#define MSG_PEEK      0x2
#define MSG_DONTWAIT  0x40
#define MSG_WAITALL   0x100
#define MSG_NOSIGNAL  0x4000
#define MSG_MORE      0x8000
#define SEND_FLAGS    (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE)
#define RECV_FLAGS    (MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL)
#define EOPNOTSUPP    95
#define EMSGSIZE      90

#define IOV_MAX      1024
#define POLL_ALLWAYS 0x38 /* POLLERR | POLLHUP | POLLNVAL: reported even when not asked */

struct iovec_user {
    uint64_t base;
    uint64_t len;
};

static uint8_t *block_data(void)
{
    return (uint8_t *)(uintptr_t)hc_block()->data;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static int bad_fd(int64_t fd)
{
    return fd < 0 || fd >= BURH_HC_FD_MAX;
}

/* Checks a result that must be a count no larger than `asked`, or -errno. */
static int64_t expect_count(const char *what, int64_t ret, uint64_t asked)
{
    if (ret >= 0 && (uint64_t)ret > asked)
        shim_abort("host reply to %s: %ld bytes, only %lu asked", what, (long)ret,
                   (unsigned long)asked);
    return ret;
}

static int64_t expect_zero(const char *what, int64_t ret)
{
    if (ret > 0)
        shim_abort("host reply to %s: %ld where 0 is the only success", what, (long)ret);
    return ret;
}

static int64_t expect_fd(const char *what, int64_t ret)
{
    if (ret >= BURH_HC_FD_HOST_MAX)
        shim_abort("host reply to %s: fd %ld out of range", what, (long)ret);
    return ret;
}

static int64_t fwd_read(int64_t fd, uint64_t buf, uint64_t len)
{
    if (bad_fd(fd))
        return -EBADF;
    uint64_t n = min_u64(len, BURH_HC_DATA_MAX);
    if (mm_user_ok(buf, n, 1) != 0)
        return -EFAULT;
    hc_block()->args.rw.fd = (int32_t)fd;
    hc_block()->args.rw.len = (uint32_t)n;
    int64_t ret = expect_count("read", hc_call(BURH_HC_READ), n);
    if (ret > 0)
        memcpy((void *)(uintptr_t)buf, block_data(), (size_t)ret);
    return ret;
}

/* Sends `len` bytes gathered by `gather` in block-sized pieces; stops at a short write. */
typedef void (*gather_fn)(const void *src, uint64_t offset, uint8_t *dst, uint64_t n);

static int64_t write_pieces(int64_t fd, const void *src, uint64_t len, gather_fn gather)
{
    uint64_t done = 0;
    do {
        uint64_t n = min_u64(len - done, BURH_HC_DATA_MAX);
        gather(src, done, block_data(), n);
        hc_block()->args.rw.fd = (int32_t)fd;
        hc_block()->args.rw.len = (uint32_t)n;
        int64_t ret = expect_count("write", hc_call(BURH_HC_WRITE), n);
        if (ret < 0)
            return done ? (int64_t)done : ret;
        done += (uint64_t)ret;
        if ((uint64_t)ret < n)
            break;
    } while (done < len);
    return (int64_t)done;
}

static void gather_flat(const void *src, uint64_t offset, uint8_t *dst, uint64_t n)
{
    memcpy(dst, (const uint8_t *)src + offset, (size_t)n);
}

struct iov_set {
    struct iovec_user v[IOV_MAX];
    int count;
};

/* Copies bytes [offset, offset+n) of the vector's concatenation to dst (or from src). */
static void iov_walk(const struct iov_set *s, uint64_t offset, uint8_t *flat, uint64_t n,
                     int to_user)
{
    for (int i = 0; i < s->count && n; i++) {
        if (offset >= s->v[i].len) {
            offset -= s->v[i].len;
            continue;
        }
        uint64_t k = min_u64(s->v[i].len - offset, n);
        uint8_t *user = (uint8_t *)(uintptr_t)(s->v[i].base + offset);
        if (to_user)
            memcpy(user, flat, (size_t)k);
        else
            memcpy(flat, user, (size_t)k);
        flat += k;
        n -= k;
        offset = 0;
    }
}

static void gather_iov(const void *src, uint64_t offset, uint8_t *dst, uint64_t n)
{
    iov_walk(src, offset, dst, n, 0);
}

/* Copies the payload's iovec array once and checks every range; returns the total or -errno. */
static int64_t load_iov(struct iov_set *s, uint64_t iov, int64_t count, int write)
{
    if (count < 0 || count > IOV_MAX)
        return -EINVAL;
    if (mm_user_ok(iov, (uint64_t)count * sizeof(struct iovec_user), 0) != 0)
        return -EFAULT;
    memcpy(s->v, (const void *)(uintptr_t)iov, (size_t)count * sizeof(struct iovec_user));
    s->count = (int)count;
    uint64_t total = 0;
    for (int i = 0; i < s->count; i++) {
        if (s->v[i].len > (1ull << 62) - total)
            return -EINVAL;
        total += s->v[i].len;
        if (mm_user_ok(s->v[i].base, s->v[i].len, write) != 0)
            return -EFAULT;
    }
    return (int64_t)total;
}

static struct iov_set g_iov;

static int64_t fwd_readv(int64_t fd, uint64_t iov, int64_t count)
{
    int64_t total = load_iov(&g_iov, iov, count, 1);
    if (total < 0)
        return total;
    if (bad_fd(fd))
        return -EBADF;
    uint64_t n = min_u64((uint64_t)total, BURH_HC_DATA_MAX);
    hc_block()->args.rw.fd = (int32_t)fd;
    hc_block()->args.rw.len = (uint32_t)n;
    int64_t ret = expect_count("readv", hc_call(BURH_HC_READ), n);
    if (ret > 0)
        iov_walk(&g_iov, 0, block_data(), (uint64_t)ret, 1);
    return ret;
}

static int64_t fwd_write(int64_t fd, uint64_t buf, uint64_t len, int vectored)
{
    if (vectored) {
        int64_t total = load_iov(&g_iov, buf, (int64_t)len, 0);
        if (total < 0)
            return total;
        if (bad_fd(fd))
            return -EBADF;
        return write_pieces(fd, &g_iov, (uint64_t)total, gather_iov);
    }
    if (bad_fd(fd))
        return -EBADF;
    if (mm_user_ok(buf, len, 0) != 0)
        return -EFAULT;
    return write_pieces(fd, (const void *)(uintptr_t)buf, len, gather_flat);
}

static int64_t fwd_addr(uint32_t call, int64_t fd, uint64_t addr, uint64_t addrlen)
{
    if (bad_fd(fd))
        return -EBADF;
    if (addrlen > BURH_HC_SOCKADDR_MAX)
        return -EINVAL;
    if (mm_user_ok(addr, addrlen, 0) != 0)
        return -EFAULT;
    memcpy(block_data(), (const void *)(uintptr_t)addr, (size_t)addrlen);
    hc_block()->args.addr.fd = (int32_t)fd;
    hc_block()->args.addr.addrlen = (uint32_t)addrlen;
    return expect_zero(call == BURH_HC_BIND ? "bind" : "connect", hc_call(call));
}

/* accept4 and getsockname: the address comes back with its full length (Linux semantics). */
static int64_t fwd_name(uint32_t call, int64_t fd, uint64_t addr, uint64_t lenp, int64_t flags)
{
    int32_t cap = 0;
    if (bad_fd(fd))
        return -EBADF;
    if (addr) {
        if (mm_user_ok(lenp, 4, 1) != 0)
            return -EFAULT;
        memcpy(&cap, (const void *)(uintptr_t)lenp, 4);
        if (cap < 0)
            return -EINVAL;
        cap = (int32_t)min_u64((uint64_t)cap, BURH_HC_SOCKADDR_MAX);
        if (mm_user_ok(addr, (uint64_t)cap, 1) != 0)
            return -EFAULT;
    } else if (call == BURH_HC_GETSOCKNAME) {
        return -EFAULT;
    }
    hc_block()->args.name.fd = (int32_t)fd;
    hc_block()->args.name.flags = (int32_t)flags;
    hc_block()->args.name.addrlen_cap = (uint32_t)cap;
    const char *what = call == BURH_HC_ACCEPT4 ? "accept4" : "getsockname";
    int64_t ret = hc_call(call);
    ret = call == BURH_HC_ACCEPT4 ? expect_fd(what, ret) : expect_zero(what, ret);
    if (ret < 0)
        return ret;
    uint32_t full = hc_block()->args.name.addrlen;
    if (full > BURH_HC_SOCKADDR_MAX)
        shim_abort("host reply to %s: address length %u over %u", what, full, BURH_HC_SOCKADDR_MAX);
    if (addr) {
        memcpy((void *)(uintptr_t)addr, block_data(), (size_t)min_u64(full, (uint64_t)cap));
        memcpy((void *)(uintptr_t)lenp, &full, 4);
    }
    return ret;
}

static int64_t fwd_sockopt(int64_t fd, int64_t level, int64_t name, uint64_t val, uint64_t len)
{
    if (bad_fd(fd))
        return -EBADF;
    if (len > BURH_HC_OPT_MAX)
        return -EINVAL;
    if (mm_user_ok(val, len, 0) != 0)
        return -EFAULT;
    memcpy(block_data(), (const void *)(uintptr_t)val, (size_t)len);
    hc_block()->args.sockopt.fd = (int32_t)fd;
    hc_block()->args.sockopt.level = (int32_t)level;
    hc_block()->args.sockopt.optname = (int32_t)name;
    hc_block()->args.sockopt.optlen = (uint32_t)len;
    return expect_zero("setsockopt", hc_call(BURH_HC_SETSOCKOPT));
}

static int64_t fwd_fd_int(uint32_t call, const char *what, int64_t fd, int64_t arg)
{
    if (bad_fd(fd))
        return -EBADF;
    hc_block()->args.fd_int.fd = (int32_t)fd;
    hc_block()->args.fd_int.arg = (int32_t)arg;
    return expect_zero(what, hc_call(call));
}

/* Polls nfds entries already in shim memory; only revents come back, and must be plausible. */
int64_t fwd_poll_host(struct burh_hc_pollfd *fds, uint32_t nfds, int64_t timeout)
{
    if (nfds > BURH_HC_POLL_MAX)
        return -EINVAL;
    struct burh_hc_pollfd *shared = (struct burh_hc_pollfd *)block_data();
    for (uint32_t i = 0; i < nfds; i++) {
        shared[i].fd = fds[i].fd;
        shared[i].events = fds[i].events;
        shared[i].revents = 0;
    }
    hc_block()->args.poll.nfds = nfds;
    hc_block()->args.poll.timeout_ms = timeout < -1 || timeout > 0x7fffffff ? -1 : (int32_t)timeout;
    int64_t ret = expect_count("poll", hc_call(BURH_HC_POLL), nfds);
    if (ret < 0)
        return ret;
    int64_t ready = 0;
    for (uint32_t i = 0; i < nfds; i++) {
        int16_t rev = shared[i].revents;
        if (fds[i].fd < 0)
            rev = 0;
        if (rev & ~(fds[i].events | POLL_ALLWAYS))
            shim_abort("host reply to poll: revents %x not asked for", (unsigned)(uint16_t)rev);
        fds[i].revents = rev;
        ready += rev != 0;
    }
    if (ready != ret)
        shim_abort("host reply to poll: %ld ready but %ld revents", (long)ret, (long)ready);
    return ret;
}

static int64_t fwd_fcntl(int64_t fd, int64_t cmd, int64_t arg)
{
    if (bad_fd(fd))
        return -EBADF;
    if (cmd < 1 || cmd > 4) { /* F_GETFD, F_SETFD, F_GETFL, F_SETFL */
        shim_log("fcntl cmd %ld not supported", (long)cmd);
        return -EINVAL;
    }
    hc_block()->args.fcntl.fd = (int32_t)fd;
    hc_block()->args.fcntl.cmd = (int32_t)cmd;
    hc_block()->args.fcntl.arg = arg;
    int64_t ret = hc_call(BURH_HC_FCNTL);
    if (cmd == 2 || cmd == 4)
        return expect_zero("fcntl", ret);
    if (ret > 0x7fffffff)
        shim_abort("host reply to fcntl: flags %lx out of range", (unsigned long)ret);
    return ret;
}

/* Host time, checked for shape; returns 0 or -errno. */
int64_t fwd_host_clock(int64_t clock_id, int64_t *sec, int64_t *nsec)
{
    if (clock_id != 0 && clock_id != 1)
        return -EINVAL;
    hc_block()->args.time.clock_id = (int32_t)clock_id;
    int64_t ret = expect_zero("clock_gettime", hc_call(BURH_HC_CLOCK_GETTIME));
    if (ret < 0)
        return ret;
    *sec = hc_block()->args.time.sec;
    *nsec = hc_block()->args.time.nsec;
    if (*sec < 0 || *nsec < 0 || *nsec >= 1000000000)
        shim_abort("host reply to clock_gettime: %ld.%ld is not a time", (long)*sec, (long)*nsec);
    return 0;
}

static int64_t fwd_clock(uint64_t nr, int64_t clock_id, uint64_t out)
{
    int64_t t[2];
    uint64_t size = nr == SYS_time ? 8 : 16;
    if (out && mm_user_ok(out, size, 1) != 0)
        return -EFAULT;
    /* Coarse, raw and boot-time clocks are answered from the two clocks the host offers. */
    if (nr != SYS_clock_gettime)
        clock_id = 0;
    else if (clock_id == 4 || clock_id == 6 || clock_id == 7)
        clock_id = 1;
    else if (clock_id == 5)
        clock_id = 0;
    int64_t ret = fwd_host_clock(clock_id, &t[0], &t[1]);
    if (ret < 0)
        return ret;
    if (nr == SYS_gettimeofday)
        t[1] /= 1000;
    if (out)
        memcpy((void *)(uintptr_t)out, t, (size_t)size);
    return nr == SYS_time ? t[0] : 0;
}

static int64_t fwd_nanosleep(uint64_t req)
{
    int64_t t[2];
    if (mm_user_ok(req, 16, 0) != 0)
        return -EFAULT;
    memcpy(t, (const void *)(uintptr_t)req, 16);
    if (t[0] < 0 || t[1] < 0 || t[1] >= 1000000000)
        return -EINVAL;
    hc_block()->args.time.sec = t[0];
    hc_block()->args.time.nsec = t[1];
    return expect_zero("nanosleep", hc_call(BURH_HC_NANOSLEEP));
}

/* getsockopt: the host answers with the value and its length, no longer than the room. */
static int64_t fwd_getsockopt(int64_t fd, int64_t level, int64_t name, uint64_t val, uint64_t lenp)
{
    int32_t cap;
    if (bad_fd(fd))
        return -EBADF;
    if (mm_user_ok(lenp, 4, 1) != 0)
        return -EFAULT;
    memcpy(&cap, (const void *)(uintptr_t)lenp, 4);
    if (cap < 0)
        return -EINVAL;
    cap = (int32_t)min_u64((uint64_t)cap, BURH_HC_OPT_MAX);
    if (mm_user_ok(val, (uint64_t)cap, 1) != 0)
        return -EFAULT;
    hc_block()->args.sockopt.fd = (int32_t)fd;
    hc_block()->args.sockopt.level = (int32_t)level;
    hc_block()->args.sockopt.optname = (int32_t)name;
    hc_block()->args.sockopt.optlen = (uint32_t)cap;
    int64_t ret = expect_count("getsockopt", hc_call(BURH_HC_GETSOCKOPT), (uint64_t)cap);
    if (ret < 0)
        return ret;
    int32_t len = (int32_t)ret;
    memcpy((void *)(uintptr_t)val, block_data(), (size_t)len);
    memcpy((void *)(uintptr_t)lenp, &len, 4);
    return 0;
}

/* fstat and newfstatat(fd, "", AT_EMPTY_PATH): 0, or -errno when a path is named (the keep
 * has no file system). */
int64_t fwd_stat_target(uint64_t nr, const uint64_t a[6])
{
    if (nr == SYS_fstat)
        return 0;
    if (!(a[3] & AT_EMPTY_PATH))
        return -ENOENT;
    if (mm_user_ok(a[1], 1, 0) != 0)
        return -EFAULT;
    return *(const char *)(uintptr_t)a[1] ? -ENOENT : 0;
}

/* Linux's struct stat (x86-64, 144 bytes) with the type, owner rw and a 4 KiB block size. */
int64_t fwd_fill_stat(uint64_t buf, uint32_t mode)
{
    uint8_t st[144] = {0};
    uint64_t nlink = 1, blksize = 4096;
    uint32_t full = mode | 0600u;
    if (mm_user_ok(buf, sizeof(st), 1) != 0)
        return -EFAULT;
    memcpy(st + 16, &nlink, 8);
    memcpy(st + 24, &full, 4);
    memcpy(st + 56, &blksize, 8);
    memcpy((void *)(uintptr_t)buf, st, sizeof(st));
    return 0;
}

static int64_t fwd_fstat(uint64_t nr, const uint64_t a[6])
{
    int64_t fd = (int64_t)a[0];
    uint64_t buf = nr == SYS_fstat ? a[1] : a[2];
    int64_t ok = fwd_stat_target(nr, a);
    if (ok < 0)
        return ok;
    if (bad_fd(fd))
        return -EBADF;
    if (mm_user_ok(buf, 144, 1) != 0)
        return -EFAULT;
    hc_block()->args.fd_int.fd = (int32_t)fd;
    hc_block()->args.fd_int.arg = 0;
    int64_t ret = hc_call(BURH_HC_FSTAT);
    if (ret < 0)
        return ret;
    if (ret != S_IFSOCK && ret != S_IFCHR && ret != S_IFIFO && ret != S_IFREG)
        shim_abort("host reply to fstat: file type %lx is not one the ABI allows",
                   (unsigned long)ret);
    return fwd_fill_stat(buf, (uint32_t)ret);
}

/* One datagram or stream piece out: the bytes gathered from `src`, an optional address. */
static int64_t send_piece(int64_t fd, const void *src, uint64_t len, gather_fn gather,
                          int64_t flags, uint64_t addr, uint64_t addrlen)
{
    if (bad_fd(fd))
        return -EBADF;
    if (flags & ~(int64_t)SEND_FLAGS)
        return -EOPNOTSUPP;
    if (addrlen > BURH_HC_SOCKADDR_MAX || (addr && mm_user_ok(addr, addrlen, 0) != 0))
        return addrlen > BURH_HC_SOCKADDR_MAX ? -EINVAL : -EFAULT;
    uint64_t n = min_u64(len, BURH_HC_MSG_MAX); /* a stream may take a part, as Linux's may */
    if (addr)
        memcpy(block_data(), (const void *)(uintptr_t)addr, (size_t)addrlen);
    gather(src, 0, block_data() + BURH_HC_MSG_DATA, n);
    hc_block()->args.msg = (struct burh_hc_msg){
        (int32_t)fd, (int32_t)flags, (uint32_t)n, addr ? (uint32_t)addrlen : 0, 0, 0};
    return expect_count("sendto", hc_call(BURH_HC_SENDTO), n);
}

/* One receive into the block; the caller scatters ret bytes. The sender's address goes to
 * addr/lenp (Linux semantics: the full length comes back, at most the room is written). */
static int64_t recv_piece(int64_t fd, uint64_t len, int64_t flags, uint64_t addr, uint64_t lenp,
                          uint32_t cap)
{
    if (bad_fd(fd))
        return -EBADF;
    if (flags & ~(int64_t)RECV_FLAGS)
        return -EOPNOTSUPP;
    uint64_t n = min_u64(len, BURH_HC_MSG_MAX);
    hc_block()->args.msg =
        (struct burh_hc_msg){(int32_t)fd, (int32_t)flags, (uint32_t)n, 0, addr ? cap : 0, 0};
    int64_t ret = expect_count("recvfrom", hc_call(BURH_HC_RECVFROM), n);
    if (ret < 0)
        return ret;
    uint32_t full = hc_block()->args.msg.addrlen;
    if (full > BURH_HC_SOCKADDR_MAX)
        shim_abort("host reply to recvfrom: address length %u over %u", full, BURH_HC_SOCKADDR_MAX);
    if (addr) {
        memcpy((void *)(uintptr_t)addr, block_data(), (size_t)min_u64(full, cap));
        memcpy((void *)(uintptr_t)lenp, &full, 4);
    }
    return ret;
}

/* The room at addr for a returned address: *lenp checked, clamped to the ABI maximum. */
static int64_t name_room(uint64_t addr, uint64_t lenp, uint32_t *cap)
{
    int32_t v;
    *cap = 0;
    if (!addr)
        return 0;
    if (mm_user_ok(lenp, 4, 1) != 0)
        return -EFAULT;
    memcpy(&v, (const void *)(uintptr_t)lenp, 4);
    if (v < 0)
        return -EINVAL;
    *cap = (uint32_t)min_u64((uint64_t)v, BURH_HC_SOCKADDR_MAX);
    return mm_user_ok(addr, *cap, 1) != 0 ? -EFAULT : 0;
}

static int64_t fwd_recvfrom(const uint64_t a[6])
{
    uint32_t cap;
    int64_t err = name_room(a[4], a[5], &cap);
    if (err < 0)
        return err;
    uint64_t n = min_u64(a[2], BURH_HC_MSG_MAX);
    if (mm_user_ok(a[1], n, 1) != 0)
        return -EFAULT;
    int64_t ret = recv_piece((int64_t)a[0], n, (int64_t)a[3], a[4], a[5], cap);
    if (ret > 0)
        memcpy((void *)(uintptr_t)a[1], block_data() + BURH_HC_MSG_DATA, (size_t)ret);
    return ret;
}

struct msghdr_user {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};

/* sendmsg/recvmsg: the header and its iovec array are copied once and checked; no ancillary
 * data is carried (sendmsg with control data gets EOPNOTSUPP, recvmsg reports none). */
static int64_t fwd_msg(uint64_t nr, const uint64_t a[6])
{
    struct msghdr_user m;
    int send = nr == SYS_sendmsg;
    if (mm_user_ok(a[1], sizeof(m), !send) != 0)
        return -EFAULT;
    memcpy(&m, (const void *)(uintptr_t)a[1], sizeof(m));
    if (m.iovlen > IOV_MAX)
        return -EMSGSIZE;
    int64_t total = load_iov(&g_iov, m.iov, (int64_t)m.iovlen, !send);
    if (total < 0)
        return total;
    if (send) {
        if (m.controllen)
            return -EOPNOTSUPP;
        return send_piece((int64_t)a[0], &g_iov, (uint64_t)total, gather_iov, (int64_t)a[2], m.name,
                          m.name ? m.namelen : 0);
    }
    uint32_t cap = (uint32_t)min_u64(m.namelen, BURH_HC_SOCKADDR_MAX);
    if (m.name && mm_user_ok(m.name, cap, 1) != 0)
        return -EFAULT;
    uint64_t lenp = a[1] + __builtin_offsetof(struct msghdr_user, namelen);
    int64_t ret = recv_piece((int64_t)a[0], (uint64_t)total, (int64_t)a[2], m.name, lenp, cap);
    if (ret < 0)
        return ret;
    iov_walk(&g_iov, 0, block_data() + BURH_HC_MSG_DATA, (uint64_t)ret, 1);
    uint64_t none = 0;
    int32_t flags = 0;
    memcpy((void *)(uintptr_t)(a[1] + __builtin_offsetof(struct msghdr_user, controllen)), &none,
           8);
    memcpy((void *)(uintptr_t)(a[1] + __builtin_offsetof(struct msghdr_user, flags)), &flags, 4);
    return ret;
}

static int64_t fwd_socket(int64_t domain, int64_t type, int64_t protocol)
{
    hc_block()->args.socket.domain = (int32_t)domain;
    hc_block()->args.socket.type = (int32_t)type;
    hc_block()->args.socket.protocol = (int32_t)protocol;
    return expect_fd("socket", hc_call(BURH_HC_SOCKET));
}

static int64_t fwd_sendto(const uint64_t a[6])
{
    if (mm_user_ok(a[1], min_u64(a[2], BURH_HC_MSG_MAX), 0) != 0)
        return -EFAULT;
    return send_piece((int64_t)a[0], (const void *)(uintptr_t)a[1], a[2], gather_flat,
                      (int64_t)a[3], a[4], a[4] ? a[5] : 0);
}

int64_t fwd_syscall(uint64_t nr, const uint64_t a[6], int *handled)
{
    int64_t s0 = (int64_t)a[0], s1 = (int64_t)a[1], s2 = (int64_t)a[2];
    *handled = 1;
    switch (nr) {
    case SYS_read:
        return fwd_read(s0, a[1], a[2]);
    case SYS_write:
        return fwd_write(s0, a[1], a[2], 0);
    case SYS_readv:
        return fwd_readv(s0, a[1], s2);
    case SYS_writev:
        return fwd_write(s0, a[1], a[2], 1);
    case SYS_close:
        return fwd_fd_int(BURH_HC_CLOSE, "close", s0, 0);
    case SYS_socket:
        return fwd_socket(s0, s1, s2);
    case SYS_bind:
        return fwd_addr(BURH_HC_BIND, s0, a[1], a[2]);
    case SYS_connect:
        return fwd_addr(BURH_HC_CONNECT, s0, a[1], a[2]);
    case SYS_listen:
        return fwd_fd_int(BURH_HC_LISTEN, "listen", s0, s1);
    case SYS_shutdown:
        return fwd_fd_int(BURH_HC_SHUTDOWN, "shutdown", s0, s1);
    case SYS_accept:
        return fwd_name(BURH_HC_ACCEPT4, s0, a[1], a[2], 0);
    case SYS_accept4:
        return fwd_name(BURH_HC_ACCEPT4, s0, a[1], a[2], (int64_t)a[3]);
    case SYS_getsockname:
        return fwd_name(BURH_HC_GETSOCKNAME, s0, a[1], a[2], 0);
    case SYS_setsockopt:
        return fwd_sockopt(s0, s1, s2, a[3], a[4]);
    case SYS_getsockopt:
        return fwd_getsockopt(s0, s1, s2, a[3], a[4]);
    case SYS_fstat:
    case SYS_newfstatat:
        return fwd_fstat(nr, a);
    case SYS_sendto:
        return fwd_sendto(a);
    case SYS_recvfrom:
        return fwd_recvfrom(a);
    case SYS_sendmsg:
    case SYS_recvmsg:
        return fwd_msg(nr, a);
    case SYS_fcntl:
        return fwd_fcntl(s0, s1, (int64_t)a[2]);
    case SYS_clock_gettime:
        return fwd_clock(nr, s0, a[1]);
    case SYS_gettimeofday:
        return fwd_clock(nr, 0, a[0]);
    case SYS_time:
        return fwd_clock(nr, 0, a[0]);
    case SYS_nanosleep:
        return fwd_nanosleep(a[0]);
    case SYS_clock_nanosleep:
        if (a[1] != 0) /* TIMER_ABSTIME is not offered */
            return -EINVAL;
        return fwd_nanosleep(a[2]);
    default:
        *handled = 0;
        return -ENOSYS;
    }
}
