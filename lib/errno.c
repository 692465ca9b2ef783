/*
 * Names of the error codes in hv/errno.h, so log lines say "err=EINVAL"
 * rather than a number the reader has to look up.
 */
#include "hv/errno.h"
#include "hv/types.h"

static const char *const errno_names[] = {
	[EPERM] = "EPERM",         [ENOENT] = "ENOENT",       [EIO] = "EIO",             [EAGAIN] = "EAGAIN",
	[E2BIG] = "E2BIG",         [ENOMEM] = "ENOMEM",       [EFAULT] = "EFAULT",
	[EBUSY] = "EBUSY",         [EEXIST] = "EEXIST",       [ENODEV] = "ENODEV",
	[EINVAL] = "EINVAL",       [ENOSPC] = "ENOSPC",       [ERANGE] = "ERANGE",
	[ENOSYS] = "ENOSYS",       [ELOOP] = "ELOOP",         [ENODATA] = "ENODATA",
	[EBADMSG] = "EBADMSG",     [EOVERFLOW] = "EOVERFLOW", [ENOTSUP] = "ENOTSUP",
	[ENOTCONN] = "ENOTCONN",     [EPIPE] = "EPIPE",         [EPROTO] = "EPROTO",
	[EMSGSIZE] = "EMSGSIZE",
	[ETIMEDOUT] = "ETIMEDOUT",
};

/* Takes -EINVAL as returned by functions, and EINVAL as well. */
const char *errno_name(int err)
{
	/* Widen first: -INT_MIN does not exist as an int. */
	long long code = err < 0 ? -(long long)err : err;

	if (code < (long long)ARRAY_SIZE(errno_names) && errno_names[code])
		return errno_names[code];
	return "E?";
}
