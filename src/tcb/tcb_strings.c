/* tcb_strings.c: counts and sorts the printable strings a binary carries, like `strings -n 4`. */
#include <string.h>

#include "burh/tcb.h"

#define MIN_STRING 4u

/* The characters GNU strings treats as printable by default: ASCII graphics, space and tab. */
static bool printable(uint8_t c)
{
    return (c >= 0x20 && c < 0x7f) || c == '\t';
}

static bool is_ident_start(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.';
}

static bool is_ident_char(uint8_t c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '@';
}

static bool has_conversion(const uint8_t *s, size_t n)
{
    static const char convs[] = "sdiuxXlzpfgc";
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '%' && s[i + 1] != '\0' && strchr(convs, s[i + 1]) != NULL)
            return true;
        if (s[i] == '%' && s[i + 1] == '.' && i + 2 < n && s[i + 2] == '*')
            return true;
    }
    return false;
}

static void classify(const uint8_t *s, size_t n, burh_tcb_strings *out)
{
    out->total++;
    if (s[0] == '/') {
        out->paths++;
        return;
    }
    if (has_conversion(s, n)) {
        out->formats++;
        return;
    }
    if (memchr(s, ' ', n) != NULL) {
        out->messages++;
        return;
    }
    bool ident = is_ident_start(s[0]);
    for (size_t i = 1; ident && i < n; i++)
        ident = is_ident_char(s[i]);
    if (ident)
        out->identifiers++;
    else
        out->other++;
}

void burh_tcb_strings_count(const uint8_t *bytes, size_t len, burh_tcb_strings *out)
{
    memset(out, 0, sizeof *out);
    if (bytes == NULL)
        return;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && printable(bytes[i]))
            continue;
        if (i - start >= MIN_STRING)
            classify(bytes + start, i - start, out);
        start = i + 1;
    }
}
