/* Values of wast2json scripts: parsing arguments and expectations, matching and printing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "testkit/testkit.h"

#define F32_EXP_MASK  UINT32_C(0x7f800000)
#define F32_QUIET_BIT UINT32_C(0x00400000)
#define F32_ABS_MASK  UINT32_C(0x7fffffff)
#define F64_EXP_MASK  UINT64_C(0x7ff0000000000000)
#define F64_QUIET_BIT UINT64_C(0x0008000000000000)
#define F64_ABS_MASK  UINT64_C(0x7fffffffffffffff)

static bool name_is(bw_name name, const char *literal)
{
    size_t len = strlen(literal);
    return name.len == len && memcmp(name.ptr, literal, len) == 0;
}

/* Decimal digits only, no sign, no blanks; false on overflow past `max`. */
static bool parse_decimal(bw_name text, uint64_t max, uint64_t *out)
{
    uint64_t acc = 0;
    if (text.len == 0) {
        return false;
    }
    for (size_t i = 0; i < text.len; i++) {
        uint8_t c = text.ptr[i];
        if (c < '0' || c > '9') {
            return false;
        }
        uint64_t digit = (uint64_t)(c - '0');
        if (acc > (max - digit) / 10) {
            return false;
        }
        acc = acc * 10 + digit;
    }
    *out = acc;
    return true;
}

void *bt_externref(uint32_t n)
{
    /* The engine only stores and compares these, so any distinct non-NULL value will do. */
    return (void *)((uintptr_t)n + 1);
}

static bt_parse_status parse_ref(uint8_t type, bw_name text, bw_value *out)
{
    uint64_t n;
    out->type = type;
    if (name_is(text, "null")) {
        out->of.externref = NULL;
        return BT_PARSE_OK;
    }
    if (type == BW_FUNCREF || !parse_decimal(text, UINT32_MAX, &n)) {
        /* A script cannot name a function as an argument. */
        return BT_PARSE_BAD;
    }
    out->of.externref = bt_externref((uint32_t)n);
    return BT_PARSE_OK;
}

bt_parse_status bt_value_parse(bw_name type, bw_name text, bw_value *out)
{
    uint64_t n;
    memset(out, 0, sizeof *out);
    if (name_is(type, "i32") || name_is(type, "f32")) {
        if (!parse_decimal(text, UINT32_MAX, &n)) {
            return BT_PARSE_BAD;
        }
        out->type = name_is(type, "i32") ? BW_I32 : BW_F32;
        out->of.i32 = (uint32_t)n;
        return BT_PARSE_OK;
    }
    if (name_is(type, "i64") || name_is(type, "f64")) {
        if (!parse_decimal(text, UINT64_MAX, &n)) {
            return BT_PARSE_BAD;
        }
        out->type = name_is(type, "i64") ? BW_I64 : BW_F64;
        out->of.i64 = n;
        return BT_PARSE_OK;
    }
    if (name_is(type, "funcref")) {
        return parse_ref(BW_FUNCREF, text, out);
    }
    if (name_is(type, "externref")) {
        return parse_ref(BW_EXTERNREF, text, out);
    }
    if (name_is(type, "v128")) {
        return BT_PARSE_UNSUPPORTED;
    }
    return BT_PARSE_BAD;
}

bt_parse_status bt_expected_parse(bw_name type, bw_name text, bt_expected *out)
{
    memset(out, 0, sizeof *out);
    bool is_float = name_is(type, "f32") || name_is(type, "f64");
    if (is_float && (name_is(text, "nan:canonical") || name_is(text, "nan:arithmetic"))) {
        out->kind =
            name_is(text, "nan:canonical") ? BT_EXPECT_NAN_CANONICAL : BT_EXPECT_NAN_ARITHMETIC;
        out->value.type = name_is(type, "f32") ? BW_F32 : BW_F64;
        return BT_PARSE_OK;
    }
    if (name_is(type, "funcref") && !name_is(text, "null")) {
        out->kind = BT_EXPECT_NONNULL_FUNC;
        out->value.type = BW_FUNCREF;
        return BT_PARSE_OK;
    }
    out->kind = BT_EXPECT_EXACT;
    return bt_value_parse(type, text, &out->value);
}

static bool nan_matches(uint8_t kind, uint8_t type, const bw_value *got)
{
    if (type == BW_F32) {
        uint32_t bits = got->of.f32_bits;
        if (kind == BT_EXPECT_NAN_CANONICAL) {
            return (bits & F32_ABS_MASK) == (F32_EXP_MASK | F32_QUIET_BIT);
        }
        return (bits & (F32_EXP_MASK | F32_QUIET_BIT)) == (F32_EXP_MASK | F32_QUIET_BIT);
    }
    uint64_t bits = got->of.f64_bits;
    if (kind == BT_EXPECT_NAN_CANONICAL) {
        return (bits & F64_ABS_MASK) == (F64_EXP_MASK | F64_QUIET_BIT);
    }
    return (bits & (F64_EXP_MASK | F64_QUIET_BIT)) == (F64_EXP_MASK | F64_QUIET_BIT);
}

bool bt_expected_match(const bt_expected *want, const bw_value *got)
{
    if (want->value.type != got->type) {
        return false;
    }
    switch (want->kind) {
    case BT_EXPECT_NAN_CANONICAL:
    case BT_EXPECT_NAN_ARITHMETIC:
        return nan_matches(want->kind, want->value.type, got);
    case BT_EXPECT_NONNULL_FUNC:
        return got->of.funcref != NULL;
    default:
        break;
    }
    switch (got->type) {
    case BW_I32:
    case BW_F32:
        return want->value.of.i32 == got->of.i32;
    case BW_I64:
    case BW_F64:
        return want->value.of.i64 == got->of.i64;
    case BW_FUNCREF:
        return want->value.of.funcref == got->of.funcref;
    case BW_EXTERNREF:
        return want->value.of.externref == got->of.externref;
    default:
        return false;
    }
}

static void format_float32(uint32_t bits, char *buf, size_t size)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    snprintf(buf, size, "f32:0x%08" PRIx32 " (%.9g)", bits, (double)f);
}

static void format_float64(uint64_t bits, char *buf, size_t size)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    snprintf(buf, size, "f64:0x%016" PRIx64 " (%.17g)", bits, d);
}

void bt_value_format(const bw_value *value, char *buf, size_t size)
{
    switch (value->type) {
    case BW_I32:
        snprintf(buf, size, "i32:%" PRIu32 " (0x%" PRIx32 ")", value->of.i32, value->of.i32);
        break;
    case BW_I64:
        snprintf(buf, size, "i64:%" PRIu64 " (0x%" PRIx64 ")", value->of.i64, value->of.i64);
        break;
    case BW_F32:
        format_float32(value->of.f32_bits, buf, size);
        break;
    case BW_F64:
        format_float64(value->of.f64_bits, buf, size);
        break;
    case BW_FUNCREF:
        snprintf(buf, size, "%s", value->of.funcref == NULL ? "ref.null func" : "ref.func");
        break;
    case BW_EXTERNREF:
        if (value->of.externref == NULL) {
            snprintf(buf, size, "ref.null extern");
        } else {
            snprintf(buf, size, "ref.extern %" PRIuPTR, (uintptr_t)value->of.externref - 1);
        }
        break;
    default:
        snprintf(buf, size, "<value of type 0x%02x>", value->type);
        break;
    }
}

void bt_expected_format(const bt_expected *want, char *buf, size_t size)
{
    const char *type = want->value.type == BW_F32 ? "f32" : "f64";
    switch (want->kind) {
    case BT_EXPECT_NAN_CANONICAL:
        snprintf(buf, size, "%s:nan:canonical", type);
        break;
    case BT_EXPECT_NAN_ARITHMETIC:
        snprintf(buf, size, "%s:nan:arithmetic", type);
        break;
    case BT_EXPECT_NONNULL_FUNC:
        snprintf(buf, size, "ref.func (any)");
        break;
    default:
        bt_value_format(&want->value, buf, size);
        break;
    }
}
