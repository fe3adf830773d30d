//! The size of a gRPC message, as the real Milvus 2.3.5 proxy limits it.
//!
//! Milvus's proxy accepts and sends messages of at most 64 MiB
//! (`proxy.grpc.serverMaxRecvSize` / `serverMaxSendSize`, 67108864). A larger
//! request is refused by gRPC-go before Milvus sees it, with RESOURCE_EXHAUSTED
//! and `grpc: received message larger than max (N vs. 67108864)`; pymilvus then
//! raises grpc's `RpcError` (not a `MilvusException`). tonic refuses it too, but
//! with OUT_OF_RANGE and other words: [`as_milvus`] rewrites that answer, so a
//! client sees what the real server would have said.

use tonic::{Code, Status};

/// The largest gRPC message accepted or sent (the tutorial's insert batch of
/// 1000 × 1536 floats is 6 MB; about 11,000 such vectors make 64 MiB).
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

const TONIC_TOO_LARGE: &str = "Error, decoded message length too large: found ";

/// A response whose status is tonic's refusal of an oversized request becomes
/// gRPC-go's (Milvus's); every other response is returned as it is.
pub fn as_milvus<B: Default>(response: http::Response<B>) -> http::Response<B> {
    let Some(status) = Status::from_header_map(response.headers()) else {
        return response;
    };
    if status.code() != Code::OutOfRange {
        return response;
    }
    let Some(size) = status
        .message()
        .strip_prefix(TONIC_TOO_LARGE)
        .and_then(|rest| rest.split(' ').next())
    else {
        return response;
    };
    Status::resource_exhausted(format!(
        "grpc: received message larger than max ({size} vs. {MAX_MESSAGE_BYTES})"
    ))
    .into_http()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonics_refusal_of_a_large_message_becomes_grpc_gos() {
        let tonic: http::Response<()> = Status::out_of_range(format!(
            "{TONIC_TOO_LARGE}73847881 bytes, the limit is: 67108864 bytes"
        ))
        .into_http();
        let s = Status::from_header_map(as_milvus(tonic).headers()).unwrap();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert_eq!(
            s.message(),
            "grpc: received message larger than max (73847881 vs. 67108864)"
        );
        // Other answers pass unchanged.
        let other: http::Response<()> = Status::out_of_range("offset").into_http();
        let s = Status::from_header_map(as_milvus(other).headers()).unwrap();
        assert_eq!((s.code(), s.message()), (Code::OutOfRange, "offset"));
        let ok = as_milvus(http::Response::new(()));
        assert!(Status::from_header_map(ok.headers()).is_none());
    }
}
