/* tcb.h: measures burh's trusted computing base per backend (`burh tcb`, docs/tcb.md). */
#ifndef BURH_TCB_H
#define BURH_TCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

typedef enum burh_tcb_status {
    BURH_TCB_OK = 0,
    BURH_TCB_ERR_ARGUMENT,  /* a NULL or out-of-range argument */
    BURH_TCB_ERR_NOT_ELF,   /* no ELF magic, or not 64-bit little-endian */
    BURH_TCB_ERR_TRUNCATED, /* a header, table or string runs past the end of the bytes */
    BURH_TCB_ERR_MALFORMED, /* a count or offset that cannot be right (overflow, loop) */
    BURH_TCB_ERR_TOO_MANY,  /* more DT_NEEDED entries than BURH_TCB_NEEDED_MAX */
    BURH_TCB_ERR_NO_MEMORY,
    BURH_TCB_ERR_IO /* a file could not be read */
} burh_tcb_status;

const char *burh_tcb_status_name(burh_tcb_status status);

/* A byte range; not NUL-terminated. */
typedef struct burh_tcb_bytes {
    const uint8_t *ptr;
    size_t len;
} burh_tcb_bytes;

#define BURH_TCB_NEEDED_MAX 64

/* What burh tcb reads from one ELF file. The `needed` names point into the bytes given to
 * burh_tcb_elf_parse and live as long as they do. */
typedef struct burh_tcb_elf_info {
    uint16_t type;         /* ET_EXEC, ET_DYN, ... */
    bool has_interp;       /* PT_INTERP present: loaded by ld.so */
    bool has_dynamic;      /* PT_DYNAMIC present */
    uint64_t exec_bytes;   /* sum of p_memsz of PT_LOAD segments with PF_X */
    uint64_t text_bytes;   /* size of the .text section, 0 without section headers */
    uint32_t needed_count; /* DT_NEEDED entries, in file order */
    burh_tcb_bytes needed[BURH_TCB_NEEDED_MAX];
} burh_tcb_elf_info;

/* Parses an ELF64 little-endian file in memory; every offset and count is checked. */
burh_tcb_status burh_tcb_elf_parse(const uint8_t *bytes, size_t len, burh_tcb_elf_info *out);

/* Printable strings of 4+ characters (as `strings -n 4` over the whole file), by category. */
typedef struct burh_tcb_strings {
    uint64_t total;
    uint64_t paths;       /* start with '/' */
    uint64_t formats;     /* contain a printf conversion ("%s", "%d", ...) */
    uint64_t messages;    /* contain a space: log and error text */
    uint64_t identifiers; /* [A-Za-z_.][A-Za-z0-9_.@]*: symbol, section and version names */
    uint64_t other;       /* the rest: mostly byte patterns of code and tables */
} burh_tcb_strings;

void burh_tcb_strings_count(const uint8_t *bytes, size_t len, burh_tcb_strings *out);

/* Reads `strace -f` output (one call per line, "PID name(args) = result") and returns a new
 * object the caller owns (json_decref): {"lines", "syscalls": [sorted distinct names],
 * "files": [{"path","ok"}], "sockets": [{"domain","type"}], "unix_connects": [path],
 * "binds": [text], "libraries": [path of each .so opened]}. NULL only when out of memory. */
json_t *burh_tcb_trace_parse(const uint8_t *text, size_t len);

typedef enum burh_tcb_backend {
    BURH_TCB_NIL = 0,
    BURH_TCB_KVM,
    BURH_TCB_SNP,
    BURH_TCB_TDX,
    BURH_TCB_BACKEND_COUNT
} burh_tcb_backend;

const char *burh_tcb_backend_name(burh_tcb_backend backend);

typedef struct burh_tcb_options {
    const char *bin_dir;  /* where burh-wasmldr, burh-shim.elf, burh-deploy are */
    const char *workload; /* the reference workload (.wasm), traced unless no_trace */
    bool no_trace;        /* skip running the workload under strace */
    bool backends[BURH_TCB_BACKEND_COUNT]; /* which backends to report */
} burh_tcb_options;

/* Measures everything docs/tcb.md lists. Returns a new object the caller owns, or NULL when
 * out of memory; what cannot be measured is reported inside it ("measured": false, "why"). */
json_t *burh_tcb_report(const burh_tcb_options *opt);

/* Writes the report as text for people. */
void burh_tcb_print(FILE *out, const json_t *report);

#endif /* BURH_TCB_H */
