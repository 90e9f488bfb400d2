/* SPDX-License-Identifier: MIT */
#include "elf_loader.h"
#include "boot_layout.h"
#include "vmm_log.h"

#include <elf.h>
#include <string.h>

bool elf_is_elf(const uint8_t *data, size_t len)
{
    return len >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

static int check_header(const Elf64_Ehdr *eh, size_t len, const char *name)
{
    if (len < sizeof *eh || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64) {
        vmm_error("%s: not an x86-64 ELF64 kernel", name);
        return -1;
    }
    if (eh->e_type != ET_EXEC) {
        vmm_error("%s: ELF file is not an executable (e_type %u)", name, eh->e_type);
        return -1;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phoff > len ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff) {
        vmm_error("%s: corrupt ELF program header table", name);
        return -1;
    }
    return 0;
}

static int load_segment(const struct guest_mem *mem, const uint8_t *data, size_t len,
                        const Elf64_Phdr *ph, const char *name)
{
    if (ph->p_filesz > ph->p_memsz || ph->p_offset > len || ph->p_filesz > len - ph->p_offset) {
        vmm_error("%s: corrupt ELF segment (offset 0x%llx, size 0x%llx)", name,
                  (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz);
        return -1;
    }
    if (ph->p_paddr < BOOT_HIGH_MEMORY) {
        vmm_error("%s: ELF segment at 0x%llx would overwrite the boot structures below 1 MiB", name,
                  (unsigned long long)ph->p_paddr);
        return -1;
    }
    uint8_t *dst = guest_mem_ptr(mem, ph->p_paddr, ph->p_memsz);
    if (!dst) {
        vmm_error("%s: ELF segment at 0x%llx (0x%llx bytes) does not fit in guest memory", name,
                  (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
        return -1;
    }
    memcpy(dst, data + ph->p_offset, ph->p_filesz);
    memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
    return 0;
}

/* vmlinux's e_entry is physical, but a kernel linked with a virtual entry is accepted too: the
 * entry is translated through the segment that contains it. */
static int physical_entry(const Elf64_Ehdr *eh, const Elf64_Phdr *phdrs, uint64_t *entry)
{
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = &phdrs[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (eh->e_entry >= ph->p_paddr && eh->e_entry - ph->p_paddr < ph->p_memsz) {
            *entry = eh->e_entry;
            return 0;
        }
        if (eh->e_entry >= ph->p_vaddr && eh->e_entry - ph->p_vaddr < ph->p_memsz) {
            *entry = ph->p_paddr + (eh->e_entry - ph->p_vaddr);
            return 0;
        }
    }
    return -1;
}

int elf_load(const struct guest_mem *mem, const uint8_t *data, size_t len, const char *name,
             struct loaded_kernel *out)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (!elf_is_elf(data, len) || check_header(eh, len, name) < 0)
        return -1;
    Elf64_Phdr *phdrs = (Elf64_Phdr *)(data + eh->e_phoff);
    out->load_end = 0;
    int loaded = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = &phdrs[i];
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        if (load_segment(mem, data, len, ph, name) < 0)
            return -1;
        if (ph->p_paddr + ph->p_memsz > out->load_end)
            out->load_end = ph->p_paddr + ph->p_memsz;
        loaded++;
    }
    if (loaded == 0) {
        vmm_error("%s: ELF file has no loadable segment", name);
        return -1;
    }
    if (physical_entry(eh, phdrs, &out->entry) < 0) {
        vmm_error("%s: ELF entry point 0x%llx is outside every loaded segment", name,
                  (unsigned long long)eh->e_entry);
        return -1;
    }
    return 0;
}
