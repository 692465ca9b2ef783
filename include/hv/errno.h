/*
 * The one error convention of the project: functions return 0 or a positive
 * value on success and a negative code from this list on failure. The values
 * are Linux's, so host unit tests can include <errno.h> next to this header.
 */
#ifndef HV_ERRNO_H
#define HV_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define EAGAIN 11
#define E2BIG 7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define EPIPE 32
#define ERANGE 34
#define ENOSYS 38
#define ELOOP 40
#define ENODATA 61
#define EPROTO 71
#define EBADMSG 74
#define EOVERFLOW 75
#define EMSGSIZE 90
#define ENOTSUP 95
#define ENOTCONN 107
#define ETIMEDOUT 110

/* Short name of a negative error code ("EINVAL"), for log lines. */
const char *errno_name(int err);

#endif
