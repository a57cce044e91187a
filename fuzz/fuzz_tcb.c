/* Fuzz target: burh tcb's readers of untrusted-looking files: ELF headers and symbols, strings,
 * traces. */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "burh/tcb.h"
#include "tcb/tcb_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    burh_tcb_elf_info info;
    if (burh_tcb_elf_parse(data, size, &info) == BURH_TCB_OK) {
        /* Every name handed back must lie inside the input. */
        for (uint32_t i = 0; i < info.needed_count; i++)
            if (info.needed[i].ptr < data || info.needed[i].len > size ||
                info.needed[i].ptr + info.needed[i].len > data + size)
                abort();
    }
    /* Symbol lookup reads section, symbol and string tables: only the answer may vary. */
    (void)tcb_elf_has_symbol(data, size, "SHA256");
    burh_tcb_strings strings;
    burh_tcb_strings_count(data, size, &strings);
    if (strings.paths + strings.formats + strings.messages + strings.identifiers + strings.other !=
        strings.total)
        abort();
    json_decref(burh_tcb_trace_parse(data, size));
    return 0;
}
