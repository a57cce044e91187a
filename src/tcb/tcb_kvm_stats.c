/* tcb_kvm_stats.c: parses the per-syscall counts a kvm keep reports (format in the header). */
#include <string.h>

#include "tcb/tcb_kvm_stats.h"

#define FIELDS_MAX 4u /* one more than a line may have, to tell "too many" */

static const char *const disposition_names[BURH_TCB_DISPOSITION_COUNT] = {"served", "forwarded",
                                                                          "refused"};

const char *burh_tcb_disposition_name(burh_tcb_disposition d)
{
    return d < BURH_TCB_DISPOSITION_COUNT ? disposition_names[d] : "unknown";
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool bytes_are(burh_tcb_bytes b, const char *s)
{
    size_t n = strlen(s);
    return b.len == n && memcmp(b.ptr, s, n) == 0;
}

/* The blank-separated fields of a line; returns how many (at most FIELDS_MAX). */
static size_t split_fields(burh_tcb_bytes line, burh_tcb_bytes *fields)
{
    size_t n = 0, i = 0;
    while (i < line.len && n < FIELDS_MAX) {
        while (i < line.len && is_blank(line.ptr[i]))
            i++;
        if (i == line.len)
            break;
        size_t start = i;
        while (i < line.len && !is_blank(line.ptr[i]))
            i++;
        fields[n++] = (burh_tcb_bytes){line.ptr + start, i - start};
    }
    return n;
}

/* A decimal, the whole field, at most INT64_MAX (so that it fits a JSON integer). */
static bool parse_u64(burh_tcb_bytes f, uint64_t *out)
{
    if (f.len == 0 || f.len > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < f.len; i++) {
        uint8_t c = f.ptr[i];
        if (c < '0' || c > '9' || v > ((uint64_t)INT64_MAX - (uint64_t)(c - '0')) / 10u)
            return false;
        v = v * 10u + (uint64_t)(c - '0');
    }
    *out = v;
    return true;
}

static bool is_blank_line(burh_tcb_bytes line)
{
    for (size_t i = 0; i < line.len; i++) {
        if (!is_blank(line.ptr[i]))
            return false;
    }
    return true;
}

static bool is_syscall_name(burh_tcb_bytes f)
{
    if (f.len == 0 || f.len > BURH_TCB_SYSCALL_NAME_MAX)
        return false;
    for (size_t i = 0; i < f.len; i++) {
        uint8_t c = f.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* "# burh kvm syscalls: N distinct, M calls" */
static bool parse_header(burh_tcb_bytes line, burh_tcb_kvm_stats *out)
{
    static const char prefix[] = "# burh kvm syscalls:";
    size_t n = sizeof prefix - 1;
    if (line.len < n || memcmp(line.ptr, prefix, n) != 0)
        return false;
    burh_tcb_bytes rest = {line.ptr + n, line.len - n}, f[FIELDS_MAX];
    return split_fields(rest, f) == 4 && parse_u64(f[0], &out->distinct_declared) &&
           bytes_are(f[1], "distinct,") && parse_u64(f[2], &out->calls_declared) &&
           bytes_are(f[3], "calls");
}

static bool same_name(burh_tcb_bytes a, burh_tcb_bytes b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* One "NAME DISPOSITION COUNT" line, appended to out unless it repeats a pair already seen. */
static burh_tcb_status parse_entry(burh_tcb_bytes line, burh_tcb_kvm_stats *out)
{
    burh_tcb_bytes f[FIELDS_MAX];
    if (split_fields(line, f) != 3 || !is_syscall_name(f[0]))
        return BURH_TCB_ERR_MALFORMED;
    burh_tcb_kvm_syscall e = {.name = f[0], .disposition = BURH_TCB_DISPOSITION_COUNT};
    for (int d = 0; d < BURH_TCB_DISPOSITION_COUNT; d++) {
        if (bytes_are(f[1], disposition_names[d]))
            e.disposition = (burh_tcb_disposition)d;
    }
    if (e.disposition == BURH_TCB_DISPOSITION_COUNT || !parse_u64(f[2], &e.count) || e.count == 0)
        return BURH_TCB_ERR_MALFORMED;
    bool name_seen = false;
    for (uint32_t i = 0; i < out->count; i++) {
        if (!same_name(out->entries[i].name, e.name))
            continue;
        if (out->entries[i].disposition == e.disposition)
            return BURH_TCB_ERR_MALFORMED;
        name_seen = true;
    }
    if (out->count == BURH_TCB_KVM_STATS_MAX)
        return BURH_TCB_ERR_TOO_MANY;
    out->entries[out->count++] = e;
    out->distinct_names += name_seen ? 0u : 1u;
    return BURH_TCB_OK;
}

/* The declared totals against the lines: M exactly (no overflow), N either way (see header). */
static bool totals_agree(const burh_tcb_kvm_stats *s)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        if (s->entries[i].count > UINT64_MAX - sum)
            return false;
        sum += s->entries[i].count;
    }
    return sum == s->calls_declared &&
           (s->distinct_declared == s->distinct_names || s->distinct_declared == s->count);
}

burh_tcb_status burh_tcb_kvm_stats_parse(const uint8_t *text, size_t len, burh_tcb_kvm_stats *out)
{
    if (out == NULL || (text == NULL && len > 0))
        return BURH_TCB_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    size_t pos = 0;
    uint32_t line_no = 0;
    while (pos < len) {
        const uint8_t *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        burh_tcb_bytes line = {text + pos, end - pos};
        pos = nl ? end + 1 : len;
        line_no++;
        if (line.len > 0 && line.ptr[line.len - 1] == '\r')
            line.len--;
        burh_tcb_status st = BURH_TCB_OK;
        if (line_no == 1)
            st = parse_header(line, out) ? BURH_TCB_OK : BURH_TCB_ERR_MALFORMED;
        else if (!is_blank_line(line) && line.ptr[0] != '#')
            st = parse_entry(line, out);
        if (st != BURH_TCB_OK) {
            out->error_line = line_no;
            return st;
        }
    }
    if (line_no == 0 || !totals_agree(out)) {
        out->error_line = line_no ? line_no : 1;
        return line_no == 0 ? BURH_TCB_ERR_TRUNCATED : BURH_TCB_ERR_MALFORMED;
    }
    return BURH_TCB_OK;
}

json_t *burh_tcb_kvm_stats_json(const burh_tcb_kvm_stats *s)
{
    json_t *lists[BURH_TCB_DISPOSITION_COUNT] = {json_array(), json_array(), json_array()};
    json_t *obj = json_pack("{s:I,s:I,s:I}", "distinct", (json_int_t)s->distinct_names, "calls",
                            (json_int_t)s->calls_declared, "lines", (json_int_t)s->count);
    bool ok = obj != NULL;
    for (int d = 0; d < BURH_TCB_DISPOSITION_COUNT; d++) {
        ok = ok && lists[d] != NULL;
        for (uint32_t i = 0; ok && i < s->count; i++) {
            const burh_tcb_kvm_syscall *e = &s->entries[i];
            if (e->disposition == (burh_tcb_disposition)d)
                ok = json_array_append_new(
                         lists[d], json_pack("{s:s%,s:I}", "name", (const char *)e->name.ptr,
                                             e->name.len, "count", (json_int_t)e->count)) == 0;
        }
        ok = ok && json_object_set(obj, disposition_names[d], lists[d]) == 0;
    }
    for (int d = 0; d < BURH_TCB_DISPOSITION_COUNT; d++)
        json_decref(lists[d]);
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}
