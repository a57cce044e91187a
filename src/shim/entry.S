/* entry.S: the shim's first instruction, the SYSCALL entry, exception stubs, the jump to ring 3. */
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33

    .section .text.entry, "ax"
    .code64
    .global _start
/* The host starts us in long mode with RDI = the boot info's guest-physical address. */
_start:
    leaq    boot_stack_top(%rip), %rsp
    xorl    %ebp, %ebp
    call    shim_main
1:  hlt
    jmp     1b

    .text
/* SYSCALL: RCX = user RIP, R11 = user RFLAGS, IF already masked; one vCPU, so one save slot. */
    .global syscall_entry
/* The frame has the trap frame's layout (struct syscall_frame in shim.h): SS, RSP, then five
 * exception-only slots, then RAX ... R15 in exc_common's order. */
syscall_entry:
    movq    %rsp, user_rsp_slot(%rip)
    leaq    boot_stack_top(%rip), %rsp
    subq    $8, %rsp                /* SS slot: unused here */
    pushq   user_rsp_slot(%rip)
    subq    $40, %rsp               /* RFLAGS, CS, RIP, error code, vector slots: unused */
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, %rdi
    call    shim_syscall
    cmpl    $0, g_sig_frame_pending(%rip)
    jne     sig_frame_exit
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    addq    $48, %rsp               /* RAX (the result is in it) and the unused slots */
    popq    %rsp
    sysretq

/* rt_sigreturn or a signal delivered at syscall return: SYSRET cannot restore RCX and R11, so
 * every register comes from g_sig_frame (a struct trap_frame) by IRETQ. */
sig_frame_exit:
    movl    $0, g_sig_frame_pending(%rip)
    leaq    g_sig_frame(%rip), %rsp
    jmp     exc_return

/* enter_user(rip, rsp): first entry to ring 3, with clean registers (RDX = 0: no rtld_fini). */
    .global enter_user
enter_user:
    pushq   $SEL_UDATA
    pushq   %rsi
    pushq   $0x202
    pushq   $SEL_UCODE
    pushq   %rdi
    xorl    %eax, %eax
    xorl    %ebx, %ebx
    xorl    %ecx, %ecx
    xorl    %edx, %edx
    xorl    %esi, %esi
    xorl    %edi, %edi
    xorl    %ebp, %ebp
    xorl    %r8d, %r8d
    xorl    %r9d, %r9d
    xorl    %r10d, %r10d
    xorl    %r11d, %r11d
    xorl    %r12d, %r12d
    xorl    %r13d, %r13d
    xorl    %r14d, %r14d
    xorl    %r15d, %r15d
    iretq

/* Exception stubs: make every frame the same shape (vector, error code), then save GPRs. */
.macro EXC_NOERR n
exc_\n:
    pushq   $0
    pushq   $\n
    jmp     exc_common
.endm
.macro EXC_ERR n
exc_\n:
    pushq   $\n
    jmp     exc_common
.endm

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR   8
EXC_NOERR 9
EXC_ERR   10
EXC_ERR   11
EXC_ERR   12
EXC_ERR   13
EXC_ERR   14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR   17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR   21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR   29
EXC_ERR   30
EXC_NOERR 31

exc_common:
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, %rdi
    cld
    call    shim_exception
exc_return:
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    addq    $16, %rsp
    iretq

    .section .rodata
    .balign 8
    .global exception_stubs
exception_stubs:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exc_\n
    .endr

    .bss
    .balign 16
user_rsp_slot:
    .skip 8
    .balign 4096
boot_stack:
    .skip 65536
    .global boot_stack_top
boot_stack_top:
    .global fault_stack_top
    .skip 4096
fault_stack:
    .skip 16384
fault_stack_top:
