"""hvlib: the pieces of tools/hvrun, one idea per module.

options  command line parsing and validation (what the user asked for)
config   --set rewriting of the configuration copied onto the ESP
esp      ESP layout and FAT image building with mtools
qemu     the QEMU command line
runner   running QEMU: serial relay, timeout, signals
verdict  isa-debug-exit value -> exit status and verdict name
main     ties them together

For tools/bochs-run and tools/mkimage:
iso        the GRUB ISO: hv.elf, configuration and guests as Multiboot2 modules
usb        the USB disk image: GPT with an ESP booting hv.efi
mkimage    tools/mkimage's command line
bochs      the bochsrc and one Bochs run: ptys, COM1 relay, verdict from the log
bochs_main tools/bochs-run's command line
"""
