# lib/: the freestanding runtime the core shares with the guests, and the
# configuration parser the loader and the core both run.
core-y += lib/string.o lib/format.o lib/errno.o
core-y += lib/config.o lib/config_value.o lib/config_validate.o
