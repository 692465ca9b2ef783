# Loader-side code shared by every boot path; compiled with the core's flags.
efi-y += boot/bootmap.o
