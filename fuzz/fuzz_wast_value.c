/* Fuzz target: wast2json value and expectation parsing must agree, round-trip and format safely. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit/testkit.h"

/* The type names a script may give; the first input byte picks one (or an unknown name). */
static const char *const type_names[] = {"i32",     "i64",       "f32",  "f64",
                                         "funcref", "externref", "v128", "i31"};
#define TYPE_COUNT (sizeof type_names / sizeof type_names[0])

static void die(const char *why)
{
    fprintf(stderr, "fuzz_wast_value: %s\n", why);
    abort();
}

static bw_name name_of(const char *text)
{
    return (bw_name){(const uint8_t *)text, strlen(text)};
}

/* A value that parsed must print back as text that parses to the same bits. */
static void check_round_trip(bw_name type, const bw_value *value)
{
    char text[32];
    bw_value again;

    switch (value->type) {
    case BW_I32:
    case BW_F32:
        snprintf(text, sizeof text, "%" PRIu32, value->of.i32);
        break;
    case BW_I64:
    case BW_F64:
        snprintf(text, sizeof text, "%" PRIu64, value->of.i64);
        break;
    case BW_EXTERNREF:
        if (value->of.externref == NULL) {
            snprintf(text, sizeof text, "null");
        } else {
            snprintf(text, sizeof text, "%" PRIuPTR, (uintptr_t)value->of.externref - 1);
        }
        break;
    default:
        snprintf(text, sizeof text, "null");
        break;
    }
    if (bt_value_parse(type, name_of(text), &again) != BT_PARSE_OK) {
        die("a parsed value does not parse again from its decimal form");
    }
    bt_expected exact = {.kind = BT_EXPECT_EXACT, .value = again};
    if (!bt_expected_match(&exact, value)) {
        die("a value does not match itself after a round trip");
    }
}

/* Formatting must fit every buffer size, however small, and always terminate it. */
static void check_format(const bw_value *value, const bt_expected *want)
{
    char buf[96];
    for (size_t size = 1; size <= sizeof buf; size += 7) {
        memset(buf, 'x', sizeof buf);
        bt_value_format(value, buf, size);
        if (memchr(buf, '\0', size) == NULL) {
            die("bt_value_format left the buffer unterminated");
        }
        bt_expected_format(want, buf, size);
        if (memchr(buf, '\0', size) == NULL) {
            die("bt_expected_format left the buffer unterminated");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    bw_name type = name_of(type_names[data[0] % TYPE_COUNT]);
    bw_name text = {data + 1, size - 1};
    bw_value value;
    bt_expected want;

    bt_parse_status value_status = bt_value_parse(type, text, &value);
    bt_parse_status want_status = bt_expected_parse(type, text, &want);
    if (value_status == BT_PARSE_OK) {
        check_round_trip(type, &value);
        /* What is a valid argument is also a valid, exact expectation of itself. */
        if (want_status != BT_PARSE_OK || !bt_expected_match(&want, &value)) {
            die("an argument value is not accepted as its own expectation");
        }
    }
    if (want_status == BT_PARSE_OK) {
        check_format(&want.value, &want);
        /* Matching must be total: any value of any type gives an answer. */
        (void)bt_expected_match(&want, &want.value);
    }
    if (value_status == BT_PARSE_UNSUPPORTED && want_status != BT_PARSE_UNSUPPORTED) {
        die("the two parsers disagree on an unsupported type");
    }
    return 0;
}
