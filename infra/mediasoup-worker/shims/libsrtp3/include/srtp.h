/*
 * libsrtp3 -> libsrtp2 compatibility header (mediasoup worker, system deps).
 *
 * mediasoup >= 3.15 is written against libsrtp 3.x (versatica fork), whose
 * protect/unprotect functions take separate input/output buffers and size_t
 * lengths. Debian ships libsrtp2 (2.5), whose functions work in place with int
 * lengths. This header includes the libsrtp2 header and adds C++ overloads with
 * the libsrtp3 signatures that copy into the output buffer and then call the
 * in-place libsrtp2 function. It also maps the renamed srtp_stream_remove()
 * and the two error codes libsrtp2 does not have.
 */
#ifndef MS_SRTP3_COMPAT_SRTP_H
#define MS_SRTP3_COMPAT_SRTP_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* Error codes that only exist in libsrtp3 (same values as libsrtp 3.x). */
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

/* libsrtp3 renamed srtp_remove_stream() to srtp_stream_remove(). */
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

namespace ms_srtp3_compat
{
	/* Copies `in` to `out` (if distinct) and checks sizes for in-place libsrtp2. */
	inline srtp_err_status_t Prepare(
	  const uint8_t* in, size_t inLen, uint8_t* out, size_t outCapacity, size_t extra, int* len)
	{
		if (inLen > static_cast<size_t>(INT_MAX) - extra)
			return srtp_err_status_bad_param;
		if (outCapacity < inLen + extra)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, inLen);
		*len = static_cast<int>(inLen);

		return srtp_err_status_ok;
	}
} // namespace ms_srtp3_compat

/* libsrtp3: srtp_protect(ctx, rtp, rtp_len, srtp, &srtp_len, mki_index). */
inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	int len;
	srtp_err_status_t err =
	  ms_srtp3_compat::Prepare(rtp, rtp_len, srtp, *srtp_len, SRTP_MAX_TRAILER_LEN, &len);

	if (err != srtp_err_status_ok)
		return err;
	/* use_mki = 0: mediasoup never configures MKIs (libsrtp3 ignores
	 * mki_index then too). */
	err = srtp_protect_mki(ctx, srtp, &len, 0, static_cast<unsigned int>(mki_index));
	if (err == srtp_err_status_ok)
		*srtp_len = static_cast<size_t>(len);

	return err;
}

/* libsrtp3: srtp_unprotect(ctx, srtp, srtp_len, rtp, &rtp_len). */
inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	int len;
	srtp_err_status_t err = ms_srtp3_compat::Prepare(srtp, srtp_len, rtp, *rtp_len, 0, &len);

	if (err != srtp_err_status_ok)
		return err;
	err = srtp_unprotect(ctx, rtp, &len);
	if (err == srtp_err_status_ok)
		*rtp_len = static_cast<size_t>(len);

	return err;
}

/* libsrtp3: srtp_protect_rtcp(ctx, rtcp, rtcp_len, srtcp, &srtcp_len, mki_index). */
inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	int len;
	srtp_err_status_t err = ms_srtp3_compat::Prepare(
	  rtcp, rtcp_len, srtcp, *srtcp_len, SRTP_MAX_TRAILER_LEN + 4 /* SRTCP index */, &len);

	if (err != srtp_err_status_ok)
		return err;
	err = srtp_protect_rtcp_mki(ctx, srtcp, &len, 0, static_cast<unsigned int>(mki_index));
	if (err == srtp_err_status_ok)
		*srtcp_len = static_cast<size_t>(len);

	return err;
}

/* libsrtp3: srtp_unprotect_rtcp(ctx, srtcp, srtcp_len, rtcp, &rtcp_len). */
inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	int len;
	srtp_err_status_t err = ms_srtp3_compat::Prepare(srtcp, srtcp_len, rtcp, *rtcp_len, 0, &len);

	if (err != srtp_err_status_ok)
		return err;
	err = srtp_unprotect_rtcp(ctx, rtcp, &len);
	if (err == srtp_err_status_ok)
		*rtcp_len = static_cast<size_t>(len);

	return err;
}
#endif /* __cplusplus */

#endif /* MS_SRTP3_COMPAT_SRTP_H */
