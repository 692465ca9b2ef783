UNIT_TESTS += elf_loader
unit-elf_loader-srcs := tests/unit/test_elf_loader.c vmm/elf_loader.c
