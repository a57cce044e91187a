/* fuzz_kvm_elf.c: the kvm loader's ELF checks, as a payload and as a shim, on any bytes. */
#include <stdint.h>
#include <stddef.h>

#include "host/kvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kvm_elf_info info;
    kvm_elf_check(data, size, KVM_ELF_PAYLOAD, &info);
    kvm_elf_check(data, size, KVM_ELF_SHIM, &info);
    return 0;
}
