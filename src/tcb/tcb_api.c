/* tcb_api.c: the methods that cross the keep's boundary, their parameters and their limits. */
#include <string.h>

#include "burh/hostcall_abi.h"
#include "burh/keep_proto.h"
#include "tcb/tcb_facts.h"
#include "tcb/tcb_internal.h"

/* What each hostcall carries, from the argument structs of hostcall_abi.h; the names and
 * numbers themselves come from the header at build time (tcb_facts). */
typedef struct hostcall_shape {
    uint32_t number;
    const char *params;
    uint32_t max_in_bytes;  /* largest guest -> host payload in block.data */
    uint32_t max_out_bytes; /* largest host -> guest payload in block.data */
} hostcall_shape;

static const hostcall_shape hostcall_shapes[] = {
    {BURH_HC_READ, "fd, len", 0, BURH_HC_DATA_MAX},
    {BURH_HC_WRITE, "fd, len, data", BURH_HC_DATA_MAX, 0},
    {BURH_HC_SOCKET, "domain, type, protocol", 0, 0},
    {BURH_HC_BIND, "fd, addrlen, sockaddr", BURH_HC_SOCKADDR_MAX, 0},
    {BURH_HC_LISTEN, "fd, backlog", 0, 0},
    {BURH_HC_ACCEPT4, "fd, flags, addrlen_cap", 0, BURH_HC_SOCKADDR_MAX},
    {BURH_HC_CONNECT, "fd, addrlen, sockaddr", BURH_HC_SOCKADDR_MAX, 0},
    {BURH_HC_SETSOCKOPT, "fd, level, optname, optlen, value", BURH_HC_OPT_MAX, 0},
    {BURH_HC_GETSOCKNAME, "fd, addrlen_cap", 0, BURH_HC_SOCKADDR_MAX},
    {BURH_HC_SHUTDOWN, "fd, how", 0, 0},
    {BURH_HC_CLOSE, "fd", 0, 0},
    {BURH_HC_POLL, "nfds, timeout_ms, pollfd[nfds]", BURH_HC_POLL_MAX * 8u, BURH_HC_POLL_MAX * 8u},
    {BURH_HC_FCNTL, "fd, cmd, arg", 0, 0},
    {BURH_HC_CLOCK_GETTIME, "clock_id -> sec, nsec", 0, 0},
    {BURH_HC_NANOSLEEP, "sec, nsec", 0, 0},
    {BURH_HC_GETSOCKOPT, "fd, level, optname, optlen -> value", 0, BURH_HC_OPT_MAX},
    {BURH_HC_SENDTO, "fd, flags, len, addrlen, sockaddr, data",
     BURH_HC_SOCKADDR_MAX + BURH_HC_MSG_MAX, 0},
    {BURH_HC_RECVFROM, "fd, flags, len, addrlen_cap -> data, sockaddr, addrlen", 0,
     BURH_HC_SOCKADDR_MAX + BURH_HC_MSG_MAX},
    {BURH_HC_FSTAT, "fd -> file type bits only", 0, 0},
};

static json_t *hostcalls(void)
{
    json_t *calls = json_array();
    size_t n = 0;
    for (const burh_tcb_hostcall_fact *h = burh_tcb_facts_hostcalls; h->name; h++, n++) {
        const hostcall_shape *shape = NULL;
        for (size_t i = 0; i < sizeof hostcall_shapes / sizeof hostcall_shapes[0]; i++) {
            if (hostcall_shapes[i].number == h->number)
                shape = &hostcall_shapes[i];
        }
        json_array_append_new(
            calls,
            shape
                ? json_pack("{s:s,s:i,s:s,s:i,s:i}", "name", h->name, "number", (int)h->number,
                            "params", shape->params, "max_in_bytes", (int)shape->max_in_bytes,
                            "max_out_bytes", (int)shape->max_out_bytes)
                : json_pack("{s:s,s:i,s:n}", "name", h->name, "number", (int)h->number, "params"));
    }
    return json_pack("{s:s,s:i,s:i,s:i,s:o}", "source", "include/burh/hostcall_abi.h",
                     "abi_version", (int)BURH_HOSTCALL_ABI_VERSION, "count", (int)n,
                     "shared_block_bytes", (int)sizeof(struct burh_hc_block), "calls", calls);
}

static json_t *wasi_functions(void)
{
    json_t *fns = json_array();
    size_t n = 0;
    for (const burh_tcb_wasi_fact *w = burh_tcb_facts_wasi; w->name; w++, n++) {
        json_array_append_new(fns, json_pack("{s:s,s:i,s:s,s:s}", "name", w->name, "param_count",
                                             (int)strlen(w->params), "params", w->params, "results",
                                             w->results));
    }
    return json_pack("{s:s,s:s,s:i,s:o}", "source", "src/wasi/calls_*.c name tables", "module",
                     "wasi_snapshot_preview1", "count", (int)n, "functions", fns);
}

static json_t *http_endpoints(void)
{
    json_t *workload = json_pack(
        "{s:s,s:s,s:s,s:s,s:I,s:{s:I,s:i,s:i,s:i,s:i,s:i,s:I,s:i,s:i},s:s,s:i}", "method", "POST",
        "path", "/v1/workload", "transport", "TLS 1.3 with the keep's RA-TLS certificate",
        "request", "CBOR workload {v, wasm, args, env, files, secrets} (docs/protocol.md)",
        "max_request_bytes", (json_int_t)BURH_PROTO_WORKLOAD_BODY, "limits", "wasm_bytes",
        (json_int_t)BURH_PROTO_WASM_MAX, "args", BURH_PROTO_ARGS_MAX, "env", BURH_PROTO_ENV_MAX,
        "string_bytes", BURH_PROTO_STRING_MAX, "files", BURH_PROTO_FILES_MAX, "path_bytes",
        BURH_PROTO_PATH_MAX, "files_total_bytes", (json_int_t)BURH_PROTO_FILES_DATA_MAX, "secrets",
        BURH_PROTO_SECRETS_MAX, "secret_bytes", BURH_PROTO_SECRET_MAX, "response",
        "CBOR sequence of stdout/stderr frames and one final frame, streamed",
        "max_frame_payload_bytes", BURH_PROTO_OUTPUT_MAX);
    json_t *status = json_pack("{s:s,s:s,s:s,s:i}", "method", "status record", "path",
                               "--status-fd pipe to burh-keepldr (outbound)", "request",
                               "CBOR status {ready|running|...} (docs/protocol.md section 3)",
                               "max_request_bytes", BURH_PROTO_STATUS_MAX);
    return json_pack("{s:s,s:[o,o]}", "source", "include/burh/keep_proto.h, docs/protocol.md",
                     "endpoints", workload, status);
}

json_t *tcb_api(void)
{
    return json_pack("{s:o,s:o,s:o}", "hostcalls", hostcalls(), "wasi", wasi_functions(), "http",
                     http_endpoints());
}
