"""hvlib: the pieces of tools/hvrun, one idea per module.

options  command line parsing and validation (what the user asked for)
config   --set rewriting of the configuration copied onto the ESP
esp      ESP layout and FAT image building with mtools
qemu     the QEMU command line
runner   running QEMU: serial relay, timeout, signals
verdict  isa-debug-exit value -> exit status and verdict name
main     ties them together
"""
