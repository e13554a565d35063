//! Transport compression of one gateway connection.
//!
//! Both stream formats keep one compression context for the whole connection, as Discord does:
//! - `zlib-stream`: one deflate stream; each message is flushed with a sync flush, so it ends
//!   with `00 00 FF FF` and the client inflates it with the context shared across messages.
//! - `zstd-stream`: one zstd frame; each message is a flushed chunk of that frame, so the
//!   client's streaming decompressor yields the whole message from that chunk alone.

use std::io::{self, Write};

use flate2::{Compression as ZlibLevel, write::ZlibEncoder};

/// Compression asked for in the connection URL's `compress` parameter.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum TransportCompression {
    /// Text frames, uncompressed.
    None,
    /// `compress=zlib-stream`.
    ZlibStream,
    /// `compress=zstd-stream`.
    ZstdStream,
}

impl TransportCompression {
    /// Parses the `compress` query parameter; `None` for an unknown value.
    pub(crate) fn from_query(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") => Some(Self::None),
            Some("zlib-stream") => Some(Self::ZlibStream),
            Some("zstd-stream") => Some(Self::ZstdStream),
            Some(_) => None,
        }
    }

    /// Name as used in the query string and the records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ZlibStream => "zlib-stream",
            Self::ZstdStream => "zstd-stream",
        }
    }
}

/// A websocket payload after compression.
#[derive(Debug)]
pub(crate) enum Encoded {
    Text(String),
    Binary(Vec<u8>),
}

/// The compression context of one connection.
pub(crate) enum Compressor {
    None,
    Zlib(Box<ZlibEncoder<Vec<u8>>>),
    Zstd(Box<zstd::stream::write::Encoder<'static, Vec<u8>>>),
}

impl std::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "Compressor::None",
            Self::Zlib(_) => "Compressor::Zlib",
            Self::Zstd(_) => "Compressor::Zstd",
        })
    }
}

impl Compressor {
    pub(crate) fn new(compression: TransportCompression) -> io::Result<Self> {
        Ok(match compression {
            TransportCompression::None => Self::None,
            TransportCompression::ZlibStream => {
                Self::Zlib(Box::new(ZlibEncoder::new(Vec::new(), ZlibLevel::default())))
            }
            TransportCompression::ZstdStream => {
                Self::Zstd(Box::new(zstd::stream::write::Encoder::new(Vec::new(), 0)?))
            }
        })
    }

    /// Compresses one gateway message, flushing so the client can decode it on its own.
    pub(crate) fn encode(&mut self, text: &str) -> io::Result<Encoded> {
        match self {
            Self::None => Ok(Encoded::Text(text.to_owned())),
            Self::Zlib(encoder) => {
                encoder.write_all(text.as_bytes())?;
                // `flush` performs a sync flush: the output ends with 00 00 FF FF.
                encoder.flush()?;
                Ok(Encoded::Binary(std::mem::take(encoder.get_mut())))
            }
            Self::Zstd(encoder) => {
                encoder.write_all(text.as_bytes())?;
                // `flush` ends the current block (ZSTD_e_flush) without ending the frame.
                encoder.flush()?;
                Ok(Encoded::Binary(std::mem::take(encoder.get_mut())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zlib_messages_end_with_sync_marker_and_share_one_context() {
        let mut compressor = Compressor::new(TransportCompression::ZlibStream).unwrap();
        let mut decompress = flate2::Decompress::new(true);
        for message in [r#"{"op":10}"#, r#"{"op":11}"#, r#"{"op":0,"t":"READY"}"#] {
            let Encoded::Binary(bytes) = compressor.encode(message).unwrap() else {
                panic!("zlib output is binary");
            };
            assert!(bytes.ends_with(&[0, 0, 0xff, 0xff]));
            let mut out = Vec::with_capacity(1024);
            decompress
                .decompress_vec(&bytes, &mut out, flate2::FlushDecompress::Sync)
                .unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), message);
        }
    }

    /// Decompresses like twilight-gateway's zstd `Decompressor`: one context, one message per
    /// call, done when the input is consumed and the output buffer is not full.
    fn twilight_style_decompress(ctx: &mut zstd::zstd_safe::DCtx<'_>, message: &[u8]) -> String {
        let mut buffer = vec![0_u8; 32 * 1024];
        let mut input = zstd::zstd_safe::InBuffer::around(message);
        let mut decompressed = Vec::new();
        loop {
            let mut output = zstd::zstd_safe::OutBuffer::around(&mut buffer[..]);
            ctx.decompress_stream(&mut output, &mut input).unwrap();
            decompressed.extend_from_slice(output.as_slice());
            if input.pos == input.src.len() && output.pos() != output.capacity() {
                break;
            }
        }
        String::from_utf8(decompressed).unwrap()
    }

    #[test]
    fn zstd_messages_decode_one_by_one_with_one_context() {
        let mut compressor = Compressor::new(TransportCompression::ZstdStream).unwrap();
        let mut ctx = zstd::zstd_safe::DCtx::create();
        let long = "x".repeat(100_000);
        for message in ["first", "second message", long.as_str(), "third"] {
            let Encoded::Binary(bytes) = compressor.encode(message).unwrap() else {
                panic!("zstd output is binary");
            };
            assert_eq!(twilight_style_decompress(&mut ctx, &bytes), message);
        }
    }
}
