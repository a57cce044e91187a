/* Benchmark: a small bytecode interpreter loop (switch dispatch) running a counting program. */
#include "bench.h"

enum { OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_JNZ, OP_JMP, OP_HALT };

struct insn {
    uint8_t op;
    int32_t arg;
};

static int64_t run(const struct insn *code, int64_t *vars)
{
    int64_t stack[64];
    int sp = 0;
    for (int pc = 0;;) {
        const struct insn *i = &code[pc++];
        switch (i->op) {
        case OP_PUSH: stack[sp++] = i->arg; break;
        case OP_LOAD: stack[sp++] = vars[i->arg]; break;
        case OP_STORE: vars[i->arg] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case OP_JNZ: if (stack[--sp] != 0) pc = i->arg; break;
        case OP_JMP: pc = i->arg; break;
        case OP_HALT: return vars[1];
        }
    }
}

int main(int argc, char **argv)
{
    long n = bench_scale(argc, argv, 10000000);
    /* v0 = n; v1 = 0; do { v1 = (v1 * 31 + v0) % 1000003; v0 = v0 - 1; } while (v0); */
    const struct insn code[] = {
        {OP_PUSH, 0}, {OP_STORE, 1},                                      /* 0 */
        {OP_LOAD, 1}, {OP_PUSH, 31}, {OP_MUL, 0}, {OP_LOAD, 0}, {OP_ADD, 0}, /* 2 */
        {OP_PUSH, 1000003}, {OP_MOD, 0}, {OP_STORE, 1},                    /* 7 */
        {OP_LOAD, 0}, {OP_PUSH, 1}, {OP_SUB, 0}, {OP_STORE, 0},            /* 10 */
        {OP_LOAD, 0}, {OP_JNZ, 2}, {OP_HALT, 0},                           /* 14 */
    };
    int64_t vars[4] = {n, 0, 0, 0};
    bench_report("bytecode", (uint64_t)run(code, vars));
    return 0;
}
