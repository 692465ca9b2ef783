/*
 * Value parsers shared by the configuration file and the load options
 * (lib/config_value.c); internal to lib/config*.c. They return 0 or -EINVAL
 * and then fill only err->message: err->line and err->field are the caller's.
 */
#ifndef LIB_CONFIG_VALUE_H
#define LIB_CONFIG_VALUE_H

#include "lib/config.h"

int config_refuse(struct config_error *err, const char *fmt, ...) __printf(2, 3);
/* Field "label.key"; "label" alone when key is NULL, "key" alone when label is "". */
void config_set_field(struct config_error *err, const char *label, const char *key);
void config_error_clear(struct config_error *err);

bool config_is_blank(char c);
/* Cuts blanks at the end in place; returns the first non-blank character. */
char *config_trim(char *s);

/* Decimal or 0x hexadecimal, no sign; overflow of 64 bits is refused. */
int config_parse_number(const char *s, uint64_t *out, struct config_error *err);
int config_parse_range(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       struct config_error *err);
/* *out: index of s in the NULL-terminated names. */
int config_parse_enum(const char *s, const char *const *names, uint64_t *out,
		      struct config_error *err);
/* yes/no, true/false, 1/0; *out is 1 or 0. */
int config_parse_bool(const char *s, uint64_t *out, struct config_error *err);

/* "0, 2-3": indexes below CONFIG_MAX_CPUS, no range reversed, none twice. */
int config_parse_cpus(char *list, uint64_t *mask, struct config_error *err);
/* "01:00.0, 0000:02:00.1": appends to p->devices, none twice, at most CONFIG_MAX_DEVICES. */
int config_parse_devices(char *list, struct config_partition *p, struct config_error *err);
/* "none" -> 0, a PCI function -> its bdf + 1 (so 00:00.0 is not "none"). */
int config_parse_optional_bdf(const char *s, uint64_t *out, struct config_error *err);
/* "a, b": two distinct partition names into c->ends; whether they exist is not checked. */
int config_parse_channel_ends(char *list, struct config_channel *c, struct config_error *err);

/* A relative path of [A-Za-z0-9._/-], 1..max characters, no "..", no empty component. */
int config_check_path(const char *s, size_t max, struct config_error *err);
/* A partition name: 1..31 characters of [a-z0-9_-]. */
bool config_name_ok(const char *s);

#endif
