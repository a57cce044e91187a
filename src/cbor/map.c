/* CBOR map lookups by text key over a complete encoded map. */
#include <string.h>

#include "cbor/cbor_internal.h"

/* Whether the encoded key `raw` is the definite text string `name`. */
static bool key_is(burh_cbor_bytes raw, burh_cbor_bytes name)
{
    uint8_t head[CBOR_HEAD_MAX];
    size_t hlen = cbor_head_encode(head, CBOR_MAJOR_TEXT, name.len);

    /* Non-shortest heads are accepted too: compare the head by value, not by bytes. */
    if (raw.len < name.len || (raw.ptr[0] >> 5) != CBOR_MAJOR_TEXT)
        return false;
    if (raw.len - name.len != hlen) {
        burh_cbor_decoder d;
        burh_cbor_item it;
        burh_cbor_decoder_init(&d, raw, 0);
        if (burh_cbor_next(&d, &it) != BURH_CBOR_OK || it.indefinite)
            return false;
        return it.str.len == name.len && memcmp(it.str.ptr, name.ptr, name.len) == 0;
    }
    return memcmp(raw.ptr + hlen, name.ptr, name.len) == 0;
}

burh_cbor_err burh_cbor_map_get(burh_cbor_bytes map, burh_cbor_bytes name, burh_cbor_bytes *value)
{
    burh_cbor_decoder d;
    burh_cbor_item it;
    burh_cbor_bytes key, val, found = {NULL, 0};
    burh_cbor_err err;
    bool have = false;

    burh_cbor_decoder_init(&d, map, 0);
    burh_cbor_decoder_set_max_depth(&d, BURH_CBOR_MAX_DEPTH);
    err = burh_cbor_next(&d, &it);
    if (err != BURH_CBOR_OK)
        return err == BURH_CBOR_END ? BURH_CBOR_ERR_TRUNCATED : err;
    if (it.type != BURH_CBOR_MAP)
        return BURH_CBOR_ERR_TYPE;
    while ((err = burh_cbor_next_raw(&d, &key)) == BURH_CBOR_OK) {
        err = burh_cbor_next_raw(&d, &val);
        if (err != BURH_CBOR_OK)
            return err == BURH_CBOR_END ? BURH_CBOR_ERR_ODD_MAP : err;
        if (key_is(key, name)) {
            if (have)
                return BURH_CBOR_ERR_DUPLICATE_KEY;
            have = true;
            found = val;
        }
    }
    if (err != BURH_CBOR_END)
        return err;
    err = burh_cbor_decoder_finish(&d);
    if (err != BURH_CBOR_OK)
        return err;
    if (!have)
        return BURH_CBOR_ERR_NOT_FOUND;
    *value = found;
    return BURH_CBOR_OK;
}

/* Looks `name` up and decodes its value as a single item of type `want`. */
static burh_cbor_err get_typed(burh_cbor_bytes map, burh_cbor_bytes name, burh_cbor_type want,
                               burh_cbor_item *out)
{
    burh_cbor_bytes raw;
    burh_cbor_decoder d;
    burh_cbor_err err = burh_cbor_map_get(map, name, &raw);

    if (err != BURH_CBOR_OK)
        return err;
    burh_cbor_decoder_init(&d, raw, 0);
    err = burh_cbor_next(&d, out);
    if (err != BURH_CBOR_OK)
        return err;
    if (out->type != want || out->indefinite)
        return BURH_CBOR_ERR_TYPE;
    return BURH_CBOR_OK;
}

burh_cbor_err burh_cbor_map_get_uint(burh_cbor_bytes map, burh_cbor_bytes name, uint64_t *out)
{
    burh_cbor_item it;
    burh_cbor_err err = get_typed(map, name, BURH_CBOR_UINT, &it);

    if (err == BURH_CBOR_OK)
        *out = it.u;
    return err;
}

burh_cbor_err burh_cbor_map_get_text(burh_cbor_bytes map, burh_cbor_bytes name,
                                     burh_cbor_bytes *out)
{
    burh_cbor_item it;
    burh_cbor_err err = get_typed(map, name, BURH_CBOR_TEXT, &it);

    if (err == BURH_CBOR_OK)
        *out = it.str;
    return err;
}

burh_cbor_err burh_cbor_map_get_bytes(burh_cbor_bytes map, burh_cbor_bytes name,
                                      burh_cbor_bytes *out)
{
    burh_cbor_item it;
    burh_cbor_err err = get_typed(map, name, BURH_CBOR_BYTES, &it);

    if (err == BURH_CBOR_OK)
        *out = it.str;
    return err;
}
