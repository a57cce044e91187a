/* Error values of the engine: filling bw_error and naming statuses and traps. */
#include <stdarg.h>
#include <stdio.h>

#include "engine/module.h"

bw_status bw_fail(bw_error *err, bw_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        err->trap = BW_TRAP_NONE;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

const char *bw_status_name(bw_status status)
{
    switch (status) {
    case BW_OK:
        return "ok";
    case BW_ERR_MALFORMED:
        return "malformed";
    case BW_ERR_INVALID:
        return "invalid";
    case BW_ERR_UNSUPPORTED:
        return "unsupported";
    case BW_ERR_UNLINKABLE:
        return "unlinkable";
    case BW_ERR_TRAP:
        return "trap";
    case BW_ERR_EXIT:
        return "exit";
    case BW_ERR_NOMEM:
        return "out of memory";
    case BW_ERR_LIMIT:
        return "limit exceeded";
    case BW_ERR_NOT_FOUND:
        return "not found";
    case BW_ERR_ARGS:
        return "bad arguments";
    }
    return "unknown status";
}

const char *bw_trap_message(bw_trap trap)
{
    switch (trap) {
    case BW_TRAP_NONE:
        return "no trap";
    case BW_TRAP_UNREACHABLE:
        return "unreachable";
    case BW_TRAP_MEMORY_OOB:
        return "out of bounds memory access";
    case BW_TRAP_TABLE_OOB:
        return "out of bounds table access";
    case BW_TRAP_UNDEFINED_ELEMENT:
        return "undefined element";
    case BW_TRAP_UNINITIALIZED_ELEM:
        return "uninitialized element";
    case BW_TRAP_INDIRECT_MISMATCH:
        return "indirect call type mismatch";
    case BW_TRAP_DIV_ZERO:
        return "integer divide by zero";
    case BW_TRAP_INT_OVERFLOW:
        return "integer overflow";
    case BW_TRAP_BAD_CONVERSION:
        return "invalid conversion to integer";
    case BW_TRAP_STACK_EXHAUSTED:
        return "call stack exhausted";
    case BW_TRAP_INTERRUPTED:
        return "interrupted";
    case BW_TRAP_HOST:
        return "host trap";
    }
    return "unknown trap";
}
