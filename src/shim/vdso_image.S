/* vdso_image.S: the vDSO shared object (mk/shim.mk builds it), embedded page-aligned in the shim. */
    .section .rodata.vdso, "a"
    .balign 4096
    .globl vdso_image_start
    .hidden vdso_image_start
vdso_image_start:
    .incbin BURH_VDSO_SO
    /* padded with zeros to a whole page: the payload sees these pages and nothing else */
    .balign 4096
    .globl vdso_image_end
    .hidden vdso_image_end
vdso_image_end:
    .section .note.GNU-stack, "", @progbits
