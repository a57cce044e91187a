/* The translated code's operations: one list drives the opcode enum and the handler table. */
#ifndef BURH_ENGINE_OPS_H
#define BURH_ENGINE_OPS_H

/*
 * BW_OPS(X) calls X(name, number) for every internal operation. Numbers below 0xC5 equal
 * the Wasm opcode the operation implements, so the translator emits most numeric and memory
 * instructions by passing their opcode through. 0xFC-prefixed instructions are 0xE0 + their
 * sub-opcode. Fused operations (a constant operand, compare-and-branch) without a Wasm
 * opcode of their own are numbered from 0x100. i32.wrap_i64 and the reinterpretations have
 * no operation: they only retype a slot. Operands are named in code.h.
 */
#define BW_OPS_CONTROL(X)                                                                          \
    X(UNREACHABLE, 0x00)                                                                           \
    X(BR, 0x0C)                                                                                    \
    X(BR_IF, 0x0D)                                                                                 \
    X(BR_TABLE, 0x0E)                                                                              \
    X(RETURN, 0x0F)                                                                                \
    X(CALL, 0x10)                                                                                  \
    X(CALL_INDIRECT, 0x11)                                                                         \
    X(SELECT, 0x1B)                                                                                \
    X(GLOBAL_GET, 0x23)                                                                            \
    X(GLOBAL_SET, 0x24)                                                                            \
    X(TABLE_GET, 0x25)                                                                             \
    X(TABLE_SET, 0x26)                                                                             \
    X(BR_UNLESS, 0xC5)                                                                             \
    X(BR_LOOP, 0xC6)                                                                               \
    X(BR_IF_LOOP, 0xC7)                                                                            \
    X(MOV, 0xC8)                                                                                   \
    X(REF_IS_NULL, 0xC9)                                                                           \
    X(REF_FUNC, 0xCA)                                                                              \
    X(I32_ADD_IMM, 0xCB)                                                                           \
    X(I32_SUB_IMM, 0xCC)                                                                           \
    X(I32_LT_S_IMM, 0xCD)                                                                          \
    X(I32_LT_U_IMM, 0xCE)                                                                          \
    X(I32_EQ_IMM, 0xCF)                                                                            \
    X(I32_NE_IMM, 0xD0)                                                                            \
    X(BR_I32_EQ, 0xD1)                                                                             \
    X(BR_I32_NE, 0xD2)                                                                             \
    X(BR_I32_LT_S, 0xD3)                                                                           \
    X(BR_I32_LT_U, 0xD4)                                                                           \
    X(BR_I32_GT_S, 0xD5)                                                                           \
    X(BR_I32_GT_U, 0xD6)                                                                           \
    X(BR_I32_LE_S, 0xD7)                                                                           \
    X(BR_I32_LE_U, 0xD8)                                                                           \
    X(BR_I32_GE_S, 0xD9)                                                                           \
    X(BR_I32_GE_U, 0xDA)                                                                           \
    X(BR_I32_EQ_IMM, 0xDB)                                                                         \
    X(BR_I32_NE_IMM, 0xDC)                                                                         \
    X(BR_I32_LT_S_IMM, 0xDD)                                                                       \
    X(BR_I32_LT_U_IMM, 0xDE)                                                                       \
    X(BR_I32_EQZ, 0xDF)

#define BW_OPS_MEMORY(X)                                                                           \
    X(I32_LOAD, 0x28)                                                                              \
    X(I64_LOAD, 0x29)                                                                              \
    X(F32_LOAD, 0x2A)                                                                              \
    X(F64_LOAD, 0x2B)                                                                              \
    X(I32_LOAD8_S, 0x2C)                                                                           \
    X(I32_LOAD8_U, 0x2D)                                                                           \
    X(I32_LOAD16_S, 0x2E)                                                                          \
    X(I32_LOAD16_U, 0x2F)                                                                          \
    X(I64_LOAD8_S, 0x30)                                                                           \
    X(I64_LOAD8_U, 0x31)                                                                           \
    X(I64_LOAD16_S, 0x32)                                                                          \
    X(I64_LOAD16_U, 0x33)                                                                          \
    X(I64_LOAD32_S, 0x34)                                                                          \
    X(I64_LOAD32_U, 0x35)                                                                          \
    X(I32_STORE, 0x36)                                                                             \
    X(I64_STORE, 0x37)                                                                             \
    X(F32_STORE, 0x38)                                                                             \
    X(F64_STORE, 0x39)                                                                             \
    X(I32_STORE8, 0x3A)                                                                            \
    X(I32_STORE16, 0x3B)                                                                           \
    X(I64_STORE8, 0x3C)                                                                            \
    X(I64_STORE16, 0x3D)                                                                           \
    X(I64_STORE32, 0x3E)                                                                           \
    X(MEMORY_SIZE, 0x3F)                                                                           \
    X(MEMORY_GROW, 0x40)                                                                           \
    X(CONST32, 0x41)                                                                               \
    X(CONST64, 0x42)

#define BW_OPS_INT(X)                                                                              \
    X(I32_EQZ, 0x45)                                                                               \
    X(I32_EQ, 0x46)                                                                                \
    X(I32_NE, 0x47)                                                                                \
    X(I32_LT_S, 0x48)                                                                              \
    X(I32_LT_U, 0x49)                                                                              \
    X(I32_GT_S, 0x4A)                                                                              \
    X(I32_GT_U, 0x4B)                                                                              \
    X(I32_LE_S, 0x4C)                                                                              \
    X(I32_LE_U, 0x4D)                                                                              \
    X(I32_GE_S, 0x4E)                                                                              \
    X(I32_GE_U, 0x4F)                                                                              \
    X(I64_EQZ, 0x50)                                                                               \
    X(I64_EQ, 0x51)                                                                                \
    X(I64_NE, 0x52)                                                                                \
    X(I64_LT_S, 0x53)                                                                              \
    X(I64_LT_U, 0x54)                                                                              \
    X(I64_GT_S, 0x55)                                                                              \
    X(I64_GT_U, 0x56)                                                                              \
    X(I64_LE_S, 0x57)                                                                              \
    X(I64_LE_U, 0x58)                                                                              \
    X(I64_GE_S, 0x59)                                                                              \
    X(I64_GE_U, 0x5A)                                                                              \
    X(I32_CLZ, 0x67)                                                                               \
    X(I32_CTZ, 0x68)                                                                               \
    X(I32_POPCNT, 0x69)                                                                            \
    X(I32_ADD, 0x6A)                                                                               \
    X(I32_SUB, 0x6B)                                                                               \
    X(I32_MUL, 0x6C)                                                                               \
    X(I32_DIV_S, 0x6D)                                                                             \
    X(I32_DIV_U, 0x6E)                                                                             \
    X(I32_REM_S, 0x6F)                                                                             \
    X(I32_REM_U, 0x70)                                                                             \
    X(I32_AND, 0x71)                                                                               \
    X(I32_OR, 0x72)                                                                                \
    X(I32_XOR, 0x73)                                                                               \
    X(I32_SHL, 0x74)                                                                               \
    X(I32_SHR_S, 0x75)                                                                             \
    X(I32_SHR_U, 0x76)                                                                             \
    X(I32_ROTL, 0x77)                                                                              \
    X(I32_ROTR, 0x78)                                                                              \
    X(I64_CLZ, 0x79)                                                                               \
    X(I64_CTZ, 0x7A)                                                                               \
    X(I64_POPCNT, 0x7B)                                                                            \
    X(I64_ADD, 0x7C)                                                                               \
    X(I64_SUB, 0x7D)                                                                               \
    X(I64_MUL, 0x7E)                                                                               \
    X(I64_DIV_S, 0x7F)                                                                             \
    X(I64_DIV_U, 0x80)                                                                             \
    X(I64_REM_S, 0x81)                                                                             \
    X(I64_REM_U, 0x82)                                                                             \
    X(I64_AND, 0x83)                                                                               \
    X(I64_OR, 0x84)                                                                                \
    X(I64_XOR, 0x85)                                                                               \
    X(I64_SHL, 0x86)                                                                               \
    X(I64_SHR_S, 0x87)                                                                             \
    X(I64_SHR_U, 0x88)                                                                             \
    X(I64_ROTL, 0x89)                                                                              \
    X(I64_ROTR, 0x8A)                                                                              \
    X(I32_EXTEND8_S, 0xC0)                                                                         \
    X(I32_EXTEND16_S, 0xC1)                                                                        \
    X(I64_EXTEND8_S, 0xC2)                                                                         \
    X(I64_EXTEND16_S, 0xC3)                                                                        \
    X(I64_EXTEND32_S, 0xC4)                                                                        \
    X(I64_EXTEND_I32_S, 0xAC)                                                                      \
    X(I64_EXTEND_I32_U, 0xAD)

#define BW_OPS_FLOAT(X)                                                                            \
    X(F32_EQ, 0x5B)                                                                                \
    X(F32_NE, 0x5C)                                                                                \
    X(F32_LT, 0x5D)                                                                                \
    X(F32_GT, 0x5E)                                                                                \
    X(F32_LE, 0x5F)                                                                                \
    X(F32_GE, 0x60)                                                                                \
    X(F64_EQ, 0x61)                                                                                \
    X(F64_NE, 0x62)                                                                                \
    X(F64_LT, 0x63)                                                                                \
    X(F64_GT, 0x64)                                                                                \
    X(F64_LE, 0x65)                                                                                \
    X(F64_GE, 0x66)                                                                                \
    X(F32_ABS, 0x8B)                                                                               \
    X(F32_NEG, 0x8C)                                                                               \
    X(F32_CEIL, 0x8D)                                                                              \
    X(F32_FLOOR, 0x8E)                                                                             \
    X(F32_TRUNC, 0x8F)                                                                             \
    X(F32_NEAREST, 0x90)                                                                           \
    X(F32_SQRT, 0x91)                                                                              \
    X(F32_ADD, 0x92)                                                                               \
    X(F32_SUB, 0x93)                                                                               \
    X(F32_MUL, 0x94)                                                                               \
    X(F32_DIV, 0x95)                                                                               \
    X(F32_MIN, 0x96)                                                                               \
    X(F32_MAX, 0x97)                                                                               \
    X(F32_COPYSIGN, 0x98)                                                                          \
    X(F64_ABS, 0x99)                                                                               \
    X(F64_NEG, 0x9A)                                                                               \
    X(F64_CEIL, 0x9B)                                                                              \
    X(F64_FLOOR, 0x9C)                                                                             \
    X(F64_TRUNC, 0x9D)                                                                             \
    X(F64_NEAREST, 0x9E)                                                                           \
    X(F64_SQRT, 0x9F)                                                                              \
    X(F64_ADD, 0xA0)                                                                               \
    X(F64_SUB, 0xA1)                                                                               \
    X(F64_MUL, 0xA2)                                                                               \
    X(F64_DIV, 0xA3)                                                                               \
    X(F64_MIN, 0xA4)                                                                               \
    X(F64_MAX, 0xA5)                                                                               \
    X(F64_COPYSIGN, 0xA6)                                                                          \
    X(I32_TRUNC_F32_S, 0xA8)                                                                       \
    X(I32_TRUNC_F32_U, 0xA9)                                                                       \
    X(I32_TRUNC_F64_S, 0xAA)                                                                       \
    X(I32_TRUNC_F64_U, 0xAB)                                                                       \
    X(I64_TRUNC_F32_S, 0xAE)                                                                       \
    X(I64_TRUNC_F32_U, 0xAF)                                                                       \
    X(I64_TRUNC_F64_S, 0xB0)                                                                       \
    X(I64_TRUNC_F64_U, 0xB1)                                                                       \
    X(F32_CONVERT_I32_S, 0xB2)                                                                     \
    X(F32_CONVERT_I32_U, 0xB3)                                                                     \
    X(F32_CONVERT_I64_S, 0xB4)                                                                     \
    X(F32_CONVERT_I64_U, 0xB5)                                                                     \
    X(F32_DEMOTE_F64, 0xB6)                                                                        \
    X(F64_CONVERT_I32_S, 0xB7)                                                                     \
    X(F64_CONVERT_I32_U, 0xB8)                                                                     \
    X(F64_CONVERT_I64_S, 0xB9)                                                                     \
    X(F64_CONVERT_I64_U, 0xBA)                                                                     \
    X(F64_PROMOTE_F32, 0xBB)                                                                       \
    X(I32_TRUNC_SAT_F32_S, 0xE0)                                                                   \
    X(I32_TRUNC_SAT_F32_U, 0xE1)                                                                   \
    X(I32_TRUNC_SAT_F64_S, 0xE2)                                                                   \
    X(I32_TRUNC_SAT_F64_U, 0xE3)                                                                   \
    X(I64_TRUNC_SAT_F32_S, 0xE4)                                                                   \
    X(I64_TRUNC_SAT_F32_U, 0xE5)                                                                   \
    X(I64_TRUNC_SAT_F64_S, 0xE6)                                                                   \
    X(I64_TRUNC_SAT_F64_U, 0xE7)

#define BW_OPS_BULK(X)                                                                             \
    X(MEMORY_INIT, 0xE8)                                                                           \
    X(DATA_DROP, 0xE9)                                                                             \
    X(MEMORY_COPY, 0xEA)                                                                           \
    X(MEMORY_FILL, 0xEB)                                                                           \
    X(TABLE_INIT, 0xEC)                                                                            \
    X(ELEM_DROP, 0xED)                                                                             \
    X(TABLE_COPY, 0xEE)                                                                            \
    X(TABLE_GROW, 0xEF)                                                                            \
    X(TABLE_SIZE, 0xF0)                                                                            \
    X(TABLE_FILL, 0xF1)

#define BW_OPS_FUSED(X)                                                                            \
    X(I32_MUL_IMM, 0x100)                                                                          \
    X(I32_AND_IMM, 0x101)                                                                          \
    X(I32_OR_IMM, 0x102)                                                                           \
    X(I32_XOR_IMM, 0x103)                                                                          \
    X(I32_SHL_IMM, 0x104)                                                                          \
    X(I32_SHR_S_IMM, 0x105)                                                                        \
    X(I32_SHR_U_IMM, 0x106)                                                                        \
    X(I32_ROTL_IMM, 0x107)                                                                         \
    X(I32_ROTR_IMM, 0x108)                                                                         \
    X(I32_GT_S_IMM, 0x109)                                                                         \
    X(I32_GT_U_IMM, 0x10A)                                                                         \
    X(I32_LE_S_IMM, 0x10B)                                                                         \
    X(I32_LE_U_IMM, 0x10C)                                                                         \
    X(I32_GE_S_IMM, 0x10D)                                                                         \
    X(I32_GE_U_IMM, 0x10E)                                                                         \
    X(I64_ADD_IMM, 0x10F)                                                                          \
    X(I64_SUB_IMM, 0x110)                                                                          \
    X(I64_MUL_IMM, 0x111)                                                                          \
    X(I64_AND_IMM, 0x112)                                                                          \
    X(I64_OR_IMM, 0x113)                                                                           \
    X(I64_XOR_IMM, 0x114)                                                                          \
    X(I64_SHL_IMM, 0x115)                                                                          \
    X(I64_SHR_S_IMM, 0x116)                                                                        \
    X(I64_SHR_U_IMM, 0x117)                                                                        \
    X(I64_EQ_IMM, 0x118)                                                                           \
    X(I64_NE_IMM, 0x119)                                                                           \
    X(I64_LT_S_IMM, 0x11A)                                                                         \
    X(I64_LT_U_IMM, 0x11B)                                                                         \
    X(I64_GT_S_IMM, 0x11C)                                                                         \
    X(I64_GT_U_IMM, 0x11D)                                                                         \
    X(BR_I32_GT_S_IMM, 0x11E)                                                                      \
    X(BR_I32_GT_U_IMM, 0x11F)                                                                      \
    X(BR_I32_LE_S_IMM, 0x120)                                                                      \
    X(BR_I32_LE_U_IMM, 0x121)                                                                      \
    X(BR_I32_GE_S_IMM, 0x122)                                                                      \
    X(BR_I32_GE_U_IMM, 0x123)

/* Loads and stores whose address is an i32.add folded in: _AR adds cell c, _AI constant c
 * (both wrapped to 32 bits, as the add would), then the offset in imm. Same order as
 * BW_OPS_MEMORY so the translator maps them by subtraction. Then f64 arithmetic with a
 * constant (bits in imm) on the right (_IMM) or on the left (IMM_SUB: imm - x, IMM_DIV).
 * Then the sum or xor of three cells (b, c, d): an i32 add or xor of the one just made. */
#define BW_OPS_ADDRESSED(X)                                                                        \
    X(I32_LOAD_AR, 0x124)                                                                          \
    X(I64_LOAD_AR, 0x125)                                                                          \
    X(F32_LOAD_AR, 0x126)                                                                          \
    X(F64_LOAD_AR, 0x127)                                                                          \
    X(I32_LOAD8_S_AR, 0x128)                                                                       \
    X(I32_LOAD8_U_AR, 0x129)                                                                       \
    X(I32_LOAD16_S_AR, 0x12A)                                                                      \
    X(I32_LOAD16_U_AR, 0x12B)                                                                      \
    X(I64_LOAD8_S_AR, 0x12C)                                                                       \
    X(I64_LOAD8_U_AR, 0x12D)                                                                       \
    X(I64_LOAD16_S_AR, 0x12E)                                                                      \
    X(I64_LOAD16_U_AR, 0x12F)                                                                      \
    X(I64_LOAD32_S_AR, 0x130)                                                                      \
    X(I64_LOAD32_U_AR, 0x131)                                                                      \
    X(I32_LOAD_AI, 0x132)                                                                          \
    X(I64_LOAD_AI, 0x133)                                                                          \
    X(F32_LOAD_AI, 0x134)                                                                          \
    X(F64_LOAD_AI, 0x135)                                                                          \
    X(I32_LOAD8_S_AI, 0x136)                                                                       \
    X(I32_LOAD8_U_AI, 0x137)                                                                       \
    X(I32_LOAD16_S_AI, 0x138)                                                                      \
    X(I32_LOAD16_U_AI, 0x139)                                                                      \
    X(I64_LOAD8_S_AI, 0x13A)                                                                       \
    X(I64_LOAD8_U_AI, 0x13B)                                                                       \
    X(I64_LOAD16_S_AI, 0x13C)                                                                      \
    X(I64_LOAD16_U_AI, 0x13D)                                                                      \
    X(I64_LOAD32_S_AI, 0x13E)                                                                      \
    X(I64_LOAD32_U_AI, 0x13F)                                                                      \
    X(I32_STORE_AR, 0x140)                                                                         \
    X(I64_STORE_AR, 0x141)                                                                         \
    X(F32_STORE_AR, 0x142)                                                                         \
    X(F64_STORE_AR, 0x143)                                                                         \
    X(I32_STORE8_AR, 0x144)                                                                        \
    X(I32_STORE16_AR, 0x145)                                                                       \
    X(I64_STORE8_AR, 0x146)                                                                        \
    X(I64_STORE16_AR, 0x147)                                                                       \
    X(I64_STORE32_AR, 0x148)                                                                       \
    X(I32_STORE_AI, 0x149)                                                                         \
    X(I64_STORE_AI, 0x14A)                                                                         \
    X(F32_STORE_AI, 0x14B)                                                                         \
    X(F64_STORE_AI, 0x14C)                                                                         \
    X(I32_STORE8_AI, 0x14D)                                                                        \
    X(I32_STORE16_AI, 0x14E)                                                                       \
    X(I64_STORE8_AI, 0x14F)                                                                        \
    X(I64_STORE16_AI, 0x150)                                                                       \
    X(I64_STORE32_AI, 0x151)                                                                       \
    X(F64_ADD_IMM, 0x152)                                                                          \
    X(F64_SUB_IMM, 0x153)                                                                          \
    X(F64_MUL_IMM, 0x154)                                                                          \
    X(F64_DIV_IMM, 0x155)                                                                          \
    X(F64_IMM_SUB, 0x156)                                                                          \
    X(F64_IMM_DIV, 0x157)                                                                          \
    X(I32_ADD3, 0x158)                                                                             \
    X(I32_XOR3, 0x159)

/* Guarded loads and stores: the same accesses without the software bounds check, for code
 * running against memories whose whole 8 GiB reservation past the current size is PROT_NONE
 * (interp.c turns the fault into a trap). Same order as BW_OPS_MEMORY's loads and stores
 * followed by BW_OPS_ADDRESSED's, so the translator maps them by subtraction. */
#define BW_OPS_GUARDED(X)                                                                          \
    X(I32_LOAD_G, 0x15A)                                                                           \
    X(I64_LOAD_G, 0x15B)                                                                           \
    X(F32_LOAD_G, 0x15C)                                                                           \
    X(F64_LOAD_G, 0x15D)                                                                           \
    X(I32_LOAD8_S_G, 0x15E)                                                                        \
    X(I32_LOAD8_U_G, 0x15F)                                                                        \
    X(I32_LOAD16_S_G, 0x160)                                                                       \
    X(I32_LOAD16_U_G, 0x161)                                                                       \
    X(I64_LOAD8_S_G, 0x162)                                                                        \
    X(I64_LOAD8_U_G, 0x163)                                                                        \
    X(I64_LOAD16_S_G, 0x164)                                                                       \
    X(I64_LOAD16_U_G, 0x165)                                                                       \
    X(I64_LOAD32_S_G, 0x166)                                                                       \
    X(I64_LOAD32_U_G, 0x167)                                                                       \
    X(I32_STORE_G, 0x168)                                                                          \
    X(I64_STORE_G, 0x169)                                                                          \
    X(F32_STORE_G, 0x16A)                                                                          \
    X(F64_STORE_G, 0x16B)                                                                          \
    X(I32_STORE8_G, 0x16C)                                                                         \
    X(I32_STORE16_G, 0x16D)                                                                        \
    X(I64_STORE8_G, 0x16E)                                                                         \
    X(I64_STORE16_G, 0x16F)                                                                        \
    X(I64_STORE32_G, 0x170)                                                                        \
    X(I32_LOAD_AR_G, 0x171)                                                                        \
    X(I64_LOAD_AR_G, 0x172)                                                                        \
    X(F32_LOAD_AR_G, 0x173)                                                                        \
    X(F64_LOAD_AR_G, 0x174)                                                                        \
    X(I32_LOAD8_S_AR_G, 0x175)                                                                     \
    X(I32_LOAD8_U_AR_G, 0x176)                                                                     \
    X(I32_LOAD16_S_AR_G, 0x177)                                                                    \
    X(I32_LOAD16_U_AR_G, 0x178)                                                                    \
    X(I64_LOAD8_S_AR_G, 0x179)                                                                     \
    X(I64_LOAD8_U_AR_G, 0x17A)                                                                     \
    X(I64_LOAD16_S_AR_G, 0x17B)                                                                    \
    X(I64_LOAD16_U_AR_G, 0x17C)                                                                    \
    X(I64_LOAD32_S_AR_G, 0x17D)                                                                    \
    X(I64_LOAD32_U_AR_G, 0x17E)                                                                    \
    X(I32_LOAD_AI_G, 0x17F)                                                                        \
    X(I64_LOAD_AI_G, 0x180)                                                                        \
    X(F32_LOAD_AI_G, 0x181)                                                                        \
    X(F64_LOAD_AI_G, 0x182)                                                                        \
    X(I32_LOAD8_S_AI_G, 0x183)                                                                     \
    X(I32_LOAD8_U_AI_G, 0x184)                                                                     \
    X(I32_LOAD16_S_AI_G, 0x185)                                                                    \
    X(I32_LOAD16_U_AI_G, 0x186)                                                                    \
    X(I64_LOAD8_S_AI_G, 0x187)                                                                     \
    X(I64_LOAD8_U_AI_G, 0x188)                                                                     \
    X(I64_LOAD16_S_AI_G, 0x189)                                                                    \
    X(I64_LOAD16_U_AI_G, 0x18A)                                                                    \
    X(I64_LOAD32_S_AI_G, 0x18B)                                                                    \
    X(I64_LOAD32_U_AI_G, 0x18C)                                                                    \
    X(I32_STORE_AR_G, 0x18D)                                                                       \
    X(I64_STORE_AR_G, 0x18E)                                                                       \
    X(F32_STORE_AR_G, 0x18F)                                                                       \
    X(F64_STORE_AR_G, 0x190)                                                                       \
    X(I32_STORE8_AR_G, 0x191)                                                                      \
    X(I32_STORE16_AR_G, 0x192)                                                                     \
    X(I64_STORE8_AR_G, 0x193)                                                                      \
    X(I64_STORE16_AR_G, 0x194)                                                                     \
    X(I64_STORE32_AR_G, 0x195)                                                                     \
    X(I32_STORE_AI_G, 0x196)                                                                       \
    X(I64_STORE_AI_G, 0x197)                                                                       \
    X(F32_STORE_AI_G, 0x198)                                                                       \
    X(F64_STORE_AI_G, 0x199)                                                                       \
    X(I32_STORE8_AI_G, 0x19A)                                                                      \
    X(I32_STORE16_AI_G, 0x19B)                                                                     \
    X(I64_STORE8_AI_G, 0x19C)                                                                      \
    X(I64_STORE16_AI_G, 0x19D)                                                                     \
    X(I64_STORE32_AI_G, 0x19E)

/* An i32 or f64 operation on cell d and the value the previous instruction computed into a
 * temporary, fused into one: a = d ^ rotl(b, imm), d ^ (b & c), d + (b & c), d + b * c
 * (rounded twice, as the two operations are), and d op the load at (u32)(b + c) + imm (an
 * always-checked load: the forms are the plain and _AI loads, c = 0 or the constant). */
#define BW_OPS_PAIRED(X)                                                                           \
    X(I32_XOR_ROTL, 0x19F)                                                                         \
    X(I32_XOR_AND, 0x1A0)                                                                          \
    X(I32_ADD_AND, 0x1A1)                                                                          \
    X(F64_ADD_MUL, 0x1A2)                                                                          \
    X(F64_MUL_LOAD, 0x1A3)                                                                         \
    X(F64_ADD_LOAD, 0x1A4)                                                                         \
    X(I32_ADD_LOAD, 0x1A5)

/* Two moves in one (a = b, then c = d), and an i32.add of a constant fused with the
 * compare-and-branch testing its result: a = b + d, then a compared with cell c (or the
 * constant c), imm the target. Both lists in the order of BR_I32_EQ .. BR_I32_GE_U. */
#define BW_OPS_STEPS(X)                                                                            \
    X(MOV2, 0x1A6)                                                                                 \
    X(BR_INC_EQ, 0x1A7)                                                                            \
    X(BR_INC_NE, 0x1A8)                                                                            \
    X(BR_INC_LT_S, 0x1A9)                                                                          \
    X(BR_INC_LT_U, 0x1AA)                                                                          \
    X(BR_INC_GT_S, 0x1AB)                                                                          \
    X(BR_INC_GT_U, 0x1AC)                                                                          \
    X(BR_INC_LE_S, 0x1AD)                                                                          \
    X(BR_INC_LE_U, 0x1AE)                                                                          \
    X(BR_INC_GE_S, 0x1AF)                                                                          \
    X(BR_INC_GE_U, 0x1B0)                                                                          \
    X(BR_INC_EQ_IMM, 0x1B1)                                                                        \
    X(BR_INC_NE_IMM, 0x1B2)                                                                        \
    X(BR_INC_LT_S_IMM, 0x1B3)                                                                      \
    X(BR_INC_LT_U_IMM, 0x1B4)                                                                      \
    X(BR_INC_GT_S_IMM, 0x1B5)                                                                      \
    X(BR_INC_GT_U_IMM, 0x1B6)                                                                      \
    X(BR_INC_LE_S_IMM, 0x1B7)                                                                      \
    X(BR_INC_LE_U_IMM, 0x1B8)                                                                      \
    X(BR_INC_GE_S_IMM, 0x1B9)                                                                      \
    X(BR_INC_GE_U_IMM, 0x1BA)

/* Stores of a constant (its low 32 bits in b; for I64_STORE_K one below 2^32) at
 * (u32)(a + c) + imm: c is 0, or the constant of a folded i32.add. Always checked. Then
 * an F64_ADD_LOAD whose sum is stored back where it was loaded from: the f64 at
 * (u32)b + imm += d (a is unused). */
#define BW_OPS_STORE_CONST(X)                                                                      \
    X(I32_STORE_K, 0x1BB)                                                                          \
    X(I32_STORE8_K, 0x1BC)                                                                         \
    X(I32_STORE16_K, 0x1BD)                                                                        \
    X(I64_STORE_K, 0x1BE)                                                                          \
    X(F64_ADD_STORE, 0x1BF)

/* The same counter steps by a register: a = b + cell d, then as BW_OPS_STEPS. */
#define BW_OPS_STEPS_BY_CELL(X)                                                                    \
    X(BR_ADD_EQ, 0x1C0)                                                                            \
    X(BR_ADD_NE, 0x1C1)                                                                            \
    X(BR_ADD_LT_S, 0x1C2)                                                                          \
    X(BR_ADD_LT_U, 0x1C3)                                                                          \
    X(BR_ADD_GT_S, 0x1C4)                                                                          \
    X(BR_ADD_GT_U, 0x1C5)                                                                          \
    X(BR_ADD_LE_S, 0x1C6)                                                                          \
    X(BR_ADD_LE_U, 0x1C7)                                                                          \
    X(BR_ADD_GE_S, 0x1C8)                                                                          \
    X(BR_ADD_GE_U, 0x1C9)                                                                          \
    X(BR_ADD_EQ_IMM, 0x1CA)                                                                        \
    X(BR_ADD_NE_IMM, 0x1CB)                                                                        \
    X(BR_ADD_LT_S_IMM, 0x1CC)                                                                      \
    X(BR_ADD_LT_U_IMM, 0x1CD)                                                                      \
    X(BR_ADD_GT_S_IMM, 0x1CE)                                                                      \
    X(BR_ADD_GT_U_IMM, 0x1CF)                                                                      \
    X(BR_ADD_LE_S_IMM, 0x1D0)                                                                      \
    X(BR_ADD_LE_U_IMM, 0x1D1)                                                                      \
    X(BR_ADD_GE_S_IMM, 0x1D2)                                                                      \
    X(BR_ADD_GE_U_IMM, 0x1D3)

/* Three instructions in one, folded from a pair above and the instruction before it: the
 * xor of a shift (a = d ^ (b >> imm)); the xor of two or three rotations of one cell, or of
 * two rotations and a shift (sha256's sigma functions: counts in imm's bytes 0, 1 and 2);
 * and an f64 product of a load added into the f64 at another address (matmul's
 * c[j] += a * b[j]: load at (u32)(b + c) + low half of imm, read-modify-write at
 * (u32)a + high half of imm, factor d). Then the sigma forms with a term added: d plus
 * the form (an i32.add of it), or the form plus c & d (then an I32_ADD_AND of it); an
 * I32_ADD_AND of a complement (a = d + (b & ~c)); and four moves in order (a = b, c = d,
 * then the 16-bit cell pairs of imm: dst in bits 0-15 from bits 16-31, dst in 32-47 from
 * 48-63). CALL_LOCAL is a CALL of a function the module defines (not an import): never a
 * host function, always the caller's instance. Then more f64 pairs on the value the
 * previous instruction left in a temporary: a = (b * c) * d, d - b * c (two roundings), and
 * d minus the load at (u32)(b + c) + imm (always checked, as the other paired loads).
 * I32_ADD_SHL: a = d + (b << imm) (scaled indices). CALL_LOCAL_MOV: fp[b] = fp[c] (the
 * argument move just before it), then CALL_LOCAL. I32_LOAD_BR_<cmp>: a = the i32 at
 * (u32)b + d (always checked), then branch to imm if a <cmp> c (the order of BR_I32_EQ ..
 * BR_I32_GE_U). Two i32 adds in order, each writing a local: I32_ADD_IMM2 a = b + low half
 * of imm, then c = d + high half; I32_ADD2 a = b + c, then d = fp[low half of imm] +
 * fp[high half]. I32_MAJ: a = ((b ^ c) & d) ^ (b & c) (a xor, an and, an XOR_AND: sha256's
 * majority function). RETURN_I32_ADD_IMM, RETURN_MOV, RETURN_CONST: that instruction (a
 * single result into fp[a]), then RETURN. I32_ADD_SHL_IMM: a = d + low half of imm + (b <<
 * high half) (an I32_ADD_IMM into the base of an I32_ADD_SHL). BR_TABLE_LOAD8: BR_TABLE on
 * the byte at (u32)(a + c) + d (always checked), b the count, imm the first entry.
 * BR_BYTES_EQ/NE: branch to imm if the bytes at (u32)(a + b) and (u32)(c + d) are equal
 * (differ); two byte loads and their compare-and-branch (string compares). I32_ADD_EQ/NE:
 * a = d + (b == c) (b != c). BR_IF_LOAD8: branch to imm if the byte at (u32)(a + c) + d is
 * not 0. I32_STORE8_K_BUMP: an I32_STORE8_K, then a += fp[d] (a fill with a stride).
 * F64_ADD/SUB_MUL3_STORE: the f64 at (u32)(a + high half of imm) + low half of imm, plus
 * (minus) (b * c) * d, stored back (n-body's velocity updates; three roundings; the
 * translator leaves the high half 0 for now). I32_SWAP: exchanges the i32s at (u32)a + c
 * and (u32)b + d, both checked before either store, leaving the first in the cell in the
 * low half of imm and the second in the high half (two loads and two stores).
 * F64_MUL_ADD_STORE_STEP: a = (u32)(a + high half of imm), then F64_MUL_ADD_STORE with store
 * offset 0 (the pointer step between two unrolled `c[j] += x * b[j]`, matrix multiply). */
#define BW_OPS_TRIPLES(X)                                                                          \
    X(I32_XOR_SHR, 0x1D4)                                                                          \
    X(I32_ROTL_XOR2, 0x1D5)                                                                        \
    X(I32_ROTL_XOR3, 0x1D6)                                                                        \
    X(I32_ROTL_XOR2_SHR, 0x1D7)                                                                    \
    X(F64_MUL_ADD_STORE, 0x1D8)                                                                    \
    X(I32_ADD_ROTL_XOR3, 0x1D9)                                                                    \
    X(I32_ADD_ROTL_XOR2_SHR, 0x1DA)                                                                \
    X(I32_ROTL_XOR3_ADD_AND, 0x1DB)                                                                \
    X(I32_ADD_ANDN, 0x1DC)                                                                         \
    X(MOV4, 0x1DD)                                                                                 \
    X(CALL_LOCAL, 0x1DE)                                                                           \
    X(F64_MUL3, 0x1DF)                                                                             \
    X(F64_SUB_MUL, 0x1E0)                                                                          \
    X(F64_SUB_LOAD, 0x1E1)                                                                         \
    X(I32_ADD_SHL, 0x1E2)                                                                          \
    X(CALL_LOCAL_MOV, 0x1E3)                                                                       \
    X(I32_LOAD_BR_EQ, 0x1E4)                                                                       \
    X(I32_LOAD_BR_NE, 0x1E5)                                                                       \
    X(I32_LOAD_BR_LT_S, 0x1E6)                                                                     \
    X(I32_LOAD_BR_LT_U, 0x1E7)                                                                     \
    X(I32_LOAD_BR_GT_S, 0x1E8)                                                                     \
    X(I32_LOAD_BR_GT_U, 0x1E9)                                                                     \
    X(I32_LOAD_BR_LE_S, 0x1EA)                                                                     \
    X(I32_LOAD_BR_LE_U, 0x1EB)                                                                     \
    X(I32_LOAD_BR_GE_S, 0x1EC)                                                                     \
    X(I32_LOAD_BR_GE_U, 0x1ED)                                                                     \
    X(I32_ADD_IMM2, 0x1EE)                                                                         \
    X(I32_ADD2, 0x1EF)                                                                             \
    X(I32_MAJ, 0x1F0)                                                                              \
    X(RETURN_I32_ADD_IMM, 0x1F1)                                                                   \
    X(RETURN_MOV, 0x1F2)                                                                           \
    X(RETURN_CONST, 0x1F3)                                                                         \
    X(I32_ADD_SHL_IMM, 0x1F4)                                                                      \
    X(BR_TABLE_LOAD8, 0x1F5)                                                                       \
    X(BR_BYTES_EQ, 0x1F6)                                                                          \
    X(BR_BYTES_NE, 0x1F7)                                                                          \
    X(I32_ADD_EQ, 0x1F8)                                                                           \
    X(I32_ADD_NE, 0x1F9)                                                                           \
    X(BR_IF_LOAD8, 0x1FA)                                                                          \
    X(I32_STORE8_K_BUMP, 0x1FB)                                                                    \
    X(F64_ADD_MUL3_STORE, 0x1FC)                                                                   \
    X(F64_SUB_MUL3_STORE, 0x1FD)                                                                   \
    X(I32_SWAP, 0x1FE)                                                                             \
    X(F64_MUL_ADD_STORE_STEP, 0x1FF)

/* Calls, returns and accesses (session 4; numbers 0x200-0x21F). RETURN_I32_ADD: fp[a] = fp[b] +
 * fp[c] (the single result), then RETURN. CALL_LOCAL_ADD_IMM: fp[b] = (u32)(fp[c] + d) (the
 * argument `n - 1` computed just before), then CALL_LOCAL (a first argument, imm function).
 * I32_STORE*_VI: an i32 store of (u32)(fp[b] + d) at (u32)(fp[a] + c) + imm: both the
 * address's and the value's i32.add of a constant folded in (clang writes `p[-k] = x - m`
 * this way); always checked. F64_MUL_ADD_STORE_ADD2: the I32_ADD2 before an
 * F64_MUL_ADD_STORE whose two addresses it computes: fp[a] = fp[c & 0xFFFF] + fp[c >> 16],
 * fp[b] = fp[imm bits 0-15] + fp[bits 16-31] (two locals, still written), then the f64 at
 * (u32)fp[a] += fp[d] * the f64 at (u32)fp[b] (offsets 0, addend 0; imm bits 32-63 unused).
 * I32_LOAD_SHL: a = the i32 at (u32)((u32)(fp[b] << d) + c) + imm, always checked: the
 * I32_SHL_IMM of a table index folded into its load (`table[i]` at a constant address). */
#define BW_OPS_CALLS_AND_ACCESSES(X)                                                               \
    X(RETURN_I32_ADD, 0x200)                                                                       \
    X(CALL_LOCAL_ADD_IMM, 0x201)                                                                   \
    X(I32_STORE_VI, 0x202)                                                                         \
    X(I32_STORE8_VI, 0x203)                                                                        \
    X(I32_STORE16_VI, 0x204)                                                                       \
    X(F64_MUL_ADD_STORE_ADD2, 0x205)                                                               \
    X(I32_LOAD_SHL, 0x206)

/* Session 4 (E4). BR_FILL_<cmp>: a strided byte fill's whole step (sieve's inner loop), an
 * I32_STORE8_K_BUMP and the BR_ADD_<cmp>_IMM after it stepping by the same cell: the byte
 * (the high 8 bits of d) stored at (u32)fp[a] (always checked), fp[a] += fp[s], then
 * fp[b] += fp[s] and a branch to imm if that sum <cmp> constant c, s being the low 24 bits
 * of d. Same order as BR_ADD_EQ_IMM .. BR_ADD_GE_U_IMM. F64_ADD/SUB_MUL3_STORE_AT: the
 * i32.add of a constant that computes the address into a local, folded into the
 * F64_ADD/SUB_MUL3_STORE after it: p = (u32)(fp[a] + low half of imm) is written to the
 * cell in the high half of imm (the local stays written), then the f64 at p plus (minus)
 * (b * c) * d is stored back there (n-body's `v[j] += d * m * mag`). BR_TABLE_FETCH8: a
 * bytecode interpreter's fetch and dispatch, `i = &code[pc++]; switch (i->op)`, an
 * I32_SHL_IMM, an I32_ADD_IMM stepping the shifted cell and a BR_TABLE_LOAD8 on the
 * shift's result in one: with A and P the low and high 16 bits of a, k bits 32-36 of imm and
 * s the signed 27 bits above them, fp[A] = fp[P] << k, fp[P] += s, then BR_TABLE_LOAD8 on
 * the byte at (u32)(fp[A] + c) + d, b the count, the low half of imm the first entry.
 * I32_ADD_ADD_IMM: an I32_ADD and an I32_ADD_IMM after it, each writing a local, in one (two
 * steps of a strength-reduced loop, as I32_ADD2 and I32_ADD_IMM2): a = b + c, then d = the
 * cell in the low half of imm plus the high half. BR_MOV_<cmp>[_IMM]: a MOV right before a
 * compare-and-branch (a loop's value shuffle before its test): fp[a] = fp[d], then as
 * BR_I32_<cmp>[_IMM] (b, c, imm). The constant forms leave out LE_S and LE_U (clang writes
 * x <= K as x < K + 1), so the list fits its range. */
#define BW_OPS_FILL_STEPS(X)                                                                       \
    X(BR_FILL_EQ, 0x220)                                                                           \
    X(BR_FILL_NE, 0x221)                                                                           \
    X(BR_FILL_LT_S, 0x222)                                                                         \
    X(BR_FILL_LT_U, 0x223)                                                                         \
    X(BR_FILL_GT_S, 0x224)                                                                         \
    X(BR_FILL_GT_U, 0x225)                                                                         \
    X(BR_FILL_LE_S, 0x226)                                                                         \
    X(BR_FILL_LE_U, 0x227)                                                                         \
    X(BR_FILL_GE_S, 0x228)                                                                         \
    X(BR_FILL_GE_U, 0x229)                                                                         \
    X(F64_ADD_MUL3_STORE_AT, 0x22A)                                                                \
    X(F64_SUB_MUL3_STORE_AT, 0x22B)                                                                \
    X(BR_TABLE_FETCH8, 0x22C)                                                                      \
    X(I32_ADD_ADD_IMM, 0x22D)                                                                      \
    X(BR_MOV_EQ, 0x22E)                                                                            \
    X(BR_MOV_NE, 0x22F)                                                                            \
    X(BR_MOV_LT_S, 0x230)                                                                          \
    X(BR_MOV_LT_U, 0x231)                                                                          \
    X(BR_MOV_GT_S, 0x232)                                                                          \
    X(BR_MOV_GT_U, 0x233)                                                                          \
    X(BR_MOV_LE_S, 0x234)                                                                          \
    X(BR_MOV_LE_U, 0x235)                                                                          \
    X(BR_MOV_GE_S, 0x236)                                                                          \
    X(BR_MOV_GE_U, 0x237)                                                                          \
    X(BR_MOV_EQ_IMM, 0x238)                                                                        \
    X(BR_MOV_NE_IMM, 0x239)                                                                        \
    X(BR_MOV_LT_S_IMM, 0x23A)                                                                      \
    X(BR_MOV_LT_U_IMM, 0x23B)                                                                      \
    X(BR_MOV_GT_S_IMM, 0x23C)                                                                      \
    X(BR_MOV_GT_U_IMM, 0x23D)                                                                      \
    X(BR_MOV_GE_S_IMM, 0x23E)                                                                      \
    X(BR_MOV_GE_U_IMM, 0x23F)

/* Session 4 (E5): loop tails. I32_LOAD_AR_STEP / I32_LOAD_AI_STEP: an i32 load (plain, _AR or
 * _AI, either bounds mode) and the I32_ADD_IMM right after it stepping a local in place
 * (`w = W[i]; i += 4`): a = the i32 at (u32)(fp[b] + fp[c]) (_AI: + c) + the low half of imm,
 * always checked, then fp[d] += the high half of imm (read after the load's write). A plain
 * load is _AI with c = 0. MOV4_BR_LOOP: a MOV, MOV2 or MOV4 right before a loop's back
 * jump (a rotation of locals): four moves, each field of a, b, c, d being dst | src << 16
 * (fewer moves repeat the last), in order, then BR_LOOP to imm. I32_ADD_ADD_ANDN: an I32_ADD
 * into a temporary and the I32_ADD_ANDN adding to it (sha256's h + Ch): a = (u32)(fp[d] +
 * fp[imm]) + (fp[b] & ~fp[c]). */
#define BW_OPS_LOOP_TAILS(X)                                                                       \
    X(I32_LOAD_AR_STEP, 0x240)                                                                     \
    X(I32_LOAD_AI_STEP, 0x241)                                                                     \
    X(MOV4_BR_LOOP, 0x242)                                                                         \
    X(I32_ADD_ADD_ANDN, 0x243)

#define BW_OPS(X)                                                                                  \
    BW_OPS_CONTROL(X)                                                                              \
    BW_OPS_MEMORY(X)                                                                               \
    BW_OPS_INT(X)                                                                                  \
    BW_OPS_FLOAT(X)                                                                                \
    BW_OPS_BULK(X)                                                                                 \
    BW_OPS_FUSED(X)                                                                                \
    BW_OPS_ADDRESSED(X)                                                                            \
    BW_OPS_GUARDED(X)                                                                              \
    BW_OPS_PAIRED(X)                                                                               \
    BW_OPS_STEPS(X)                                                                                \
    BW_OPS_STORE_CONST(X)                                                                          \
    BW_OPS_STEPS_BY_CELL(X)                                                                        \
    BW_OPS_TRIPLES(X)                                                                              \
    BW_OPS_CALLS_AND_ACCESSES(X)                                                                   \
    BW_OPS_FILL_STEPS(X)                                                                           \
    BW_OPS_LOOP_TAILS(X)

enum bw_op {
#define BW_OP_ENUM(name, number) BW_OP_##name = number,
    BW_OPS(BW_OP_ENUM)
#undef BW_OP_ENUM
        BW_OP_COUNT = 0x260
};

#endif
