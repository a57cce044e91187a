/* test_kvm_hostcall.c: the host side of hostcalls: fd policy, argument checks, hostile modes. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/kvm.h"

#define MEM_SIZE (BURH_GPA_HOSTCALL + sizeof(struct burh_hc_block))

struct fixture {
    struct kvm_guest_mem mem;
    struct kvm_hostcall_ctx ctx;
    struct burh_hc_block *blk;
    int pipe[2];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->mem.base = calloc(1, MEM_SIZE);
    f->mem.size = MEM_SIZE;
    f->blk = (struct burh_hc_block *)(f->mem.base + BURH_GPA_HOSTCALL);
    f->ctx.mem = &f->mem;
    kvm_fdtab_init(&f->ctx.fds);
    if (pipe(f->pipe) != 0)
        return -1;
    f->ctx.fds.host[1] = f->pipe[1]; /* the keep's stdout is our pipe */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    f->ctx.fds.host[1] = -1;
    kvm_fdtab_close_all(&f->ctx.fds);
    close(f->pipe[0]);
    close(f->pipe[1]);
    free(f->mem.base);
    free(f);
    return 0;
}

static int64_t call(struct fixture *f, uint32_t nr)
{
    f->blk->abi_version = BURH_HOSTCALL_ABI_VERSION;
    f->blk->call = nr;
    assert_int_equal(kvm_hostcall_handle(&f->ctx), 0);
    return f->blk->ret;
}

static void test_version_and_unknown_call(void **state)
{
    struct fixture *f = *state;
    f->blk->abi_version = 99;
    f->blk->call = BURH_HC_WRITE;
    assert_int_equal(kvm_hostcall_handle(&f->ctx), 0);
    assert_int_equal(f->blk->ret, -EPROTO);
    assert_int_equal(call(f, BURH_HC_COUNT), -ENOSYS);
    assert_int_equal(call(f, 0xffffffffu), -ENOSYS);
}

static void test_write_read(void **state)
{
    struct fixture *f = *state;
    memcpy(f->blk->data, "abc", 3);
    f->blk->args.rw = (struct burh_hc_rw){1, 3};
    assert_int_equal(call(f, BURH_HC_WRITE), 3);
    char got[4] = {0};
    assert_int_equal(read(f->pipe[0], got, 3), 3);
    assert_string_equal(got, "abc");
    f->blk->args.rw = (struct burh_hc_rw){1, BURH_HC_DATA_MAX + 1};
    assert_int_equal(call(f, BURH_HC_WRITE), -EINVAL);
    /* descriptors the keep does not own, whatever the host has open under that number */
    int32_t bad_fds[] = {-1, 5, f->pipe[0], BURH_HC_FD_MAX, INT32_MAX};
    for (size_t i = 0; i < sizeof(bad_fds) / sizeof(bad_fds[0]); i++) {
        f->blk->args.rw = (struct burh_hc_rw){bad_fds[i], 1};
        assert_int_equal(call(f, BURH_HC_READ), -EBADF);
    }
}

static void test_sockets(void **state)
{
    struct fixture *f = *state;
    f->blk->args.socket = (struct burh_hc_socket){AF_UNIX, SOCK_STREAM, 0, 0};
    assert_int_equal(call(f, BURH_HC_SOCKET), -EAFNOSUPPORT);
    f->blk->args.socket = (struct burh_hc_socket){AF_INET, SOCK_RAW, 0, 0};
    assert_int_equal(call(f, BURH_HC_SOCKET), -EINVAL);
    f->blk->args.socket = (struct burh_hc_socket){AF_INET, SOCK_STREAM, 0, 0};
    int64_t fd = call(f, BURH_HC_SOCKET);
    assert_int_equal(fd, 3); /* lowest free guest number, whatever the host fd is */

    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    memcpy(f->blk->data, &sin, sizeof(sin));
    f->blk->args.addr = (struct burh_hc_addr){(int32_t)fd, BURH_HC_SOCKADDR_MAX + 1};
    assert_int_equal(call(f, BURH_HC_BIND), -EINVAL);
    f->blk->args.addr = (struct burh_hc_addr){(int32_t)fd, 1};
    assert_int_equal(call(f, BURH_HC_BIND), -EINVAL);
    f->blk->data[0] = AF_UNIX;
    f->blk->data[1] = 0;
    f->blk->args.addr = (struct burh_hc_addr){(int32_t)fd, sizeof(sin)};
    assert_int_equal(call(f, BURH_HC_BIND), -EAFNOSUPPORT);
    memcpy(f->blk->data, &sin, sizeof(sin));
    assert_int_equal(call(f, BURH_HC_BIND), 0);

    f->blk->args.name = (struct burh_hc_name){(int32_t)fd, 0, 4, 0};
    assert_int_equal(call(f, BURH_HC_GETSOCKNAME), 0);
    assert_int_equal(f->blk->args.name.addrlen, sizeof(sin)); /* full length, 4 bytes copied */

    int one = 1;
    memcpy(f->blk->data, &one, sizeof(one));
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_BINDTODEVICE, 4};
    assert_int_equal(call(f, BURH_HC_SETSOCKOPT), -ENOPROTOOPT);
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_REUSEADDR, 4096};
    assert_int_equal(call(f, BURH_HC_SETSOCKOPT), -EINVAL);
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_REUSEADDR, 4};
    assert_int_equal(call(f, BURH_HC_SETSOCKOPT), 0);

    f->blk->args.fd_int = (struct burh_hc_fd_int){(int32_t)fd, 7};
    assert_int_equal(call(f, BURH_HC_SHUTDOWN), -EINVAL);
    f->blk->args.fd_int = (struct burh_hc_fd_int){(int32_t)fd, 0};
    assert_int_equal(call(f, BURH_HC_CLOSE), 0);
    assert_int_equal(call(f, BURH_HC_CLOSE), -EBADF);
}

static void test_close_stdio_keeps_host_fd(void **state)
{
    struct fixture *f = *state;
    f->blk->args.fd_int = (struct burh_hc_fd_int){2, 0};
    assert_int_equal(call(f, BURH_HC_CLOSE), 0);
    assert_int_not_equal(fcntl(2, F_GETFD), -1);
    f->blk->args.rw = (struct burh_hc_rw){2, 1};
    assert_int_equal(call(f, BURH_HC_WRITE), -EBADF);
}

static void test_poll(void **state)
{
    struct fixture *f = *state;
    f->blk->args.poll = (struct burh_hc_poll){BURH_HC_POLL_MAX + 1, 0};
    assert_int_equal(call(f, BURH_HC_POLL), -EINVAL);
    struct burh_hc_pollfd req[3] = {{1, POLLOUT, 0}, {9, POLLIN, 0}, {-1, POLLIN, 0}};
    memcpy(f->blk->data, req, sizeof(req));
    f->blk->args.poll = (struct burh_hc_poll){3, 1000};
    assert_int_equal(call(f, BURH_HC_POLL), 2);
    memcpy(req, f->blk->data, sizeof(req));
    assert_true(req[0].revents & POLLOUT);
    assert_int_equal(req[1].revents, POLLNVAL);
    assert_int_equal(req[2].revents, 0);
}

static void test_fcntl_and_time(void **state)
{
    struct fixture *f = *state;
    f->blk->args.fcntl = (struct burh_hc_fcntl){1, F_DUPFD, 0};
    assert_int_equal(call(f, BURH_HC_FCNTL), -EINVAL);
    f->blk->args.fcntl = (struct burh_hc_fcntl){1, F_GETFL, 0};
    assert_true(call(f, BURH_HC_FCNTL) >= 0);
    f->blk->args.time = (struct burh_hc_time){99, 0, 0, 0};
    assert_int_equal(call(f, BURH_HC_CLOCK_GETTIME), -EINVAL);
    f->blk->args.time = (struct burh_hc_time){CLOCK_MONOTONIC, 0, 0, 0};
    assert_int_equal(call(f, BURH_HC_CLOCK_GETTIME), 0);
    assert_true(f->blk->args.time.nsec >= 0 && f->blk->args.time.nsec < 1000000000);
    f->blk->args.time = (struct burh_hc_time){0, 0, 0, 1000000000};
    assert_int_equal(call(f, BURH_HC_NANOSLEEP), -EINVAL);
    f->blk->args.time = (struct burh_hc_time){0, 0, -1, 0};
    assert_int_equal(call(f, BURH_HC_NANOSLEEP), -EINVAL);
    f->blk->args.time = (struct burh_hc_time){0, 0, 0, 1000};
    assert_int_equal(call(f, BURH_HC_NANOSLEEP), 0);
}

static void test_hostile_modes(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(kvm_hostile_parse("write-ret"), KVM_HOSTILE_WRITE_RET);
    assert_int_equal(kvm_hostile_parse("errno-range"), KVM_HOSTILE_ERRNO_RANGE);
    assert_int_equal(kvm_hostile_parse("addrlen"), KVM_HOSTILE_ADDRLEN);
    assert_int_equal(kvm_hostile_parse("clock"), KVM_HOSTILE_CLOCK);
    assert_int_equal(kvm_hostile_parse("poll"), KVM_HOSTILE_POLL);
    assert_int_equal(kvm_hostile_parse("nonsense"), KVM_HOSTILE_NONE);
    assert_int_equal(kvm_hostile_parse(NULL), KVM_HOSTILE_NONE);
    f->ctx.hostile = KVM_HOSTILE_WRITE_RET;
    f->blk->args.rw = (struct burh_hc_rw){1, 2};
    assert_int_equal(call(f, BURH_HC_WRITE), 3);
    f->ctx.hostile = KVM_HOSTILE_ERRNO_RANGE;
    assert_true(call(f, BURH_HC_WRITE) < -BURH_HC_ERRNO_MAX);
    f->ctx.hostile = KVM_HOSTILE_CLOCK;
    f->blk->args.time = (struct burh_hc_time){CLOCK_REALTIME, 0, 0, 0};
    assert_int_equal(call(f, BURH_HC_CLOCK_GETTIME), 0);
    assert_true(f->blk->args.time.nsec >= 1000000000);
    char drain[8];
    assert_true(read(f->pipe[0], drain, sizeof(drain)) > 0);
}

/* A guest UDP socket bound to loopback; its address in *sin. */
static int64_t udp_socket(struct fixture *f, struct sockaddr_in *sin)
{
    f->blk->args.socket = (struct burh_hc_socket){AF_INET, SOCK_DGRAM, 0, 0};
    int64_t fd = call(f, BURH_HC_SOCKET);
    assert_true(fd >= 3);
    *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    memcpy(f->blk->data, sin, sizeof(*sin));
    f->blk->args.addr = (struct burh_hc_addr){(int32_t)fd, sizeof(*sin)};
    assert_int_equal(call(f, BURH_HC_BIND), 0);
    f->blk->args.name = (struct burh_hc_name){(int32_t)fd, 0, sizeof(*sin), 0};
    assert_int_equal(call(f, BURH_HC_GETSOCKNAME), 0);
    memcpy(sin, f->blk->data, sizeof(*sin));
    return fd;
}

static void test_sendto_recvfrom(void **state)
{
    struct fixture *f = *state;
    struct sockaddr_in a, b;
    int64_t fa = udp_socket(f, &a), fb = udp_socket(f, &b);
    uint8_t *bytes = f->blk->data + BURH_HC_MSG_DATA;
    memcpy(f->blk->data, &b, sizeof(b));
    memcpy(bytes, "hello", 5);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fa, MSG_OOB, 5, sizeof(b), 0, 0};
    assert_int_equal(call(f, BURH_HC_SENDTO), -EOPNOTSUPP);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fa, 0, BURH_HC_MSG_MAX + 1, sizeof(b), 0, 0};
    assert_int_equal(call(f, BURH_HC_SENDTO), -EINVAL);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fa, 0, 5, BURH_HC_SOCKADDR_MAX + 1, 0, 0};
    assert_int_equal(call(f, BURH_HC_SENDTO), -EINVAL);
    f->blk->data[0] = AF_UNIX;
    f->blk->data[1] = 0;
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fa, 0, 5, sizeof(b), 0, 0};
    assert_int_equal(call(f, BURH_HC_SENDTO), -EAFNOSUPPORT);
    memcpy(f->blk->data, &b, sizeof(b));
    assert_int_equal(call(f, BURH_HC_SENDTO), 5);

    memset(f->blk->data, 0, 512);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fb, MSG_TRUNC, 5, 0, 16, 0};
    assert_int_equal(call(f, BURH_HC_RECVFROM), -EOPNOTSUPP);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fb, 0, 5, 0, 4, 0};
    assert_int_equal(call(f, BURH_HC_RECVFROM), 5);
    assert_memory_equal(bytes, "hello", 5);
    assert_int_equal(f->blk->args.msg.addrlen, sizeof(a)); /* full length; 4 bytes written */
    assert_int_equal(f->blk->data[4], 0);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fb, MSG_DONTWAIT, 5, 0, 16, 0};
    assert_int_equal(call(f, BURH_HC_RECVFROM), -EAGAIN);
    f->ctx.hostile = KVM_HOSTILE_RECV_LEN; /* two lies the shim must catch */
    memcpy(f->blk->data, &b, sizeof(b));
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fa, 0, 5, sizeof(b), 0, 0};
    assert_int_equal(call(f, BURH_HC_SENDTO), 5);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fb, 0, 5, 0, 16, 0};
    assert_int_equal(call(f, BURH_HC_RECVFROM), 6);
    f->ctx.hostile = KVM_HOSTILE_ADDRLEN;
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fa, 0, 5, sizeof(b), 0, 0};
    memcpy(f->blk->data, &b, sizeof(b));
    assert_int_equal(call(f, BURH_HC_SENDTO), 5);
    f->blk->args.msg = (struct burh_hc_msg){(int32_t)fb, 0, 5, 0, 16, 0};
    assert_int_equal(call(f, BURH_HC_RECVFROM), 5);
    assert_int_equal(f->blk->args.msg.addrlen, 4096);
    f->ctx.hostile = KVM_HOSTILE_NONE;
    f->blk->args.msg = (struct burh_hc_msg){77, 0, 5, 0, 16, 0};
    assert_int_equal(call(f, BURH_HC_RECVFROM), -EBADF);
}

static void test_getsockopt_and_fstat(void **state)
{
    struct fixture *f = *state;
    struct sockaddr_in a;
    int64_t fd = udp_socket(f, &a);
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_TYPE, 4};
    assert_int_equal(call(f, BURH_HC_GETSOCKOPT), 4);
    int type;
    memcpy(&type, f->blk->data, 4);
    assert_int_equal(type, SOCK_DGRAM);
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_TYPE, 2};
    assert_int_equal(call(f, BURH_HC_GETSOCKOPT), 2); /* cut to the room */
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_PEERCRED, 12};
    assert_int_equal(call(f, BURH_HC_GETSOCKOPT), -ENOPROTOOPT);
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_TYPE, 4096};
    assert_int_equal(call(f, BURH_HC_GETSOCKOPT), -EINVAL);
    f->ctx.hostile = KVM_HOSTILE_SOCKOPT_LEN;
    f->blk->args.sockopt = (struct burh_hc_sockopt){(int32_t)fd, SOL_SOCKET, SO_TYPE, 4};
    assert_int_equal(call(f, BURH_HC_GETSOCKOPT), 5);
    f->ctx.hostile = KVM_HOSTILE_NONE;

    f->blk->args.fd_int = (struct burh_hc_fd_int){(int32_t)fd, 0};
    assert_int_equal(call(f, BURH_HC_FSTAT), S_IFSOCK);
    f->blk->args.fd_int = (struct burh_hc_fd_int){1, 0};
    assert_int_equal(call(f, BURH_HC_FSTAT), S_IFIFO); /* our pipe, only its type */
    f->blk->args.fd_int = (struct burh_hc_fd_int){77, 0};
    assert_int_equal(call(f, BURH_HC_FSTAT), -EBADF);
    f->ctx.hostile = KVM_HOSTILE_FSTAT;
    f->blk->args.fd_int = (struct burh_hc_fd_int){1, 0};
    assert_int_equal(call(f, BURH_HC_FSTAT), 0177777);
    assert_int_equal(kvm_hostile_parse("recv-len"), KVM_HOSTILE_RECV_LEN);
    assert_int_equal(kvm_hostile_parse("sockopt-len"), KVM_HOSTILE_SOCKOPT_LEN);
    assert_int_equal(kvm_hostile_parse("fstat"), KVM_HOSTILE_FSTAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_and_unknown_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sockets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_stdio_keeps_host_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fcntl_and_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sendto_recvfrom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_getsockopt_and_fstat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
