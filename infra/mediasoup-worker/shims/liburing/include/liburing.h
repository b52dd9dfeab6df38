/*
 * liburing 2.3 (Debian bookworm) compatibility for mediasoup's DepLibUring.cpp,
 * which uses three helpers that appeared in liburing 2.4.
 */
#ifndef MS_LIBURING_COMPAT_H
#define MS_LIBURING_COMPAT_H

#include_next <liburing.h>

#ifndef IO_URING_VERSION_MAJOR /* defined by liburing >= 2.4 only */
static inline int io_uring_major_version(void) { return 2; }
static inline int io_uring_minor_version(void) { return 3; }

/* liburing 2.4: send + destination address (IORING_OP_SEND with addr, kernel >= 6.0). */
static inline void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd,
	const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen)
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, addrlen);
}
#endif

#endif /* MS_LIBURING_COMPAT_H */
