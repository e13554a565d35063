//! The native protocol's frames (v4): a 9-byte header and a body of the protocol's notations
//! ([short], [int], [string], [bytes], [value], …), read with [`Reader`] and written with
//! [`Writer`].

use std::collections::HashMap;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

/// The only protocol version spoken (the one the scylla driver negotiates).
pub(crate) const VERSION: u8 = 0x04;
/// A response's version byte.
const RESPONSE: u8 = 0x80;
/// Bodies larger than this are refused (Scylla's default is 256 MiB for native transport).
const MAX_BODY: usize = 256 * 1024 * 1024;
/// What is allocated for a body before its bytes arrive.
const INITIAL_BODY: usize = 64 * 1024;

/// Opcodes.
pub(crate) mod op {
    pub(crate) const ERROR: u8 = 0x00;
    pub(crate) const STARTUP: u8 = 0x01;
    pub(crate) const READY: u8 = 0x02;
    pub(crate) const OPTIONS: u8 = 0x05;
    pub(crate) const SUPPORTED: u8 = 0x06;
    pub(crate) const QUERY: u8 = 0x07;
    pub(crate) const RESULT: u8 = 0x08;
    pub(crate) const PREPARE: u8 = 0x09;
    pub(crate) const EXECUTE: u8 = 0x0A;
    pub(crate) const REGISTER: u8 = 0x0B;
    pub(crate) const EVENT: u8 = 0x0C;
    pub(crate) const BATCH: u8 = 0x0D;
    pub(crate) const AUTH_RESPONSE: u8 = 0x0F;
}

/// A request frame.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) version: u8,
    pub(crate) flags: u8,
    pub(crate) stream: i16,
    pub(crate) opcode: u8,
    pub(crate) body: Vec<u8>,
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FrameError {
    #[error("connection closed")]
    Closed,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("frame body of {0} bytes is too large")]
    TooLarge(usize),
}

/// Reads one frame; `Closed` at a clean end of stream.
pub(crate) async fn read_frame(
    reader: &mut (impl AsyncRead + Unpin),
) -> Result<Request, FrameError> {
    let mut header = [0u8; 9];
    match reader.read_exact(&mut header).await {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(FrameError::Closed);
        }
        Err(error) => return Err(error.into()),
    }
    let length = u32::from_be_bytes([header[5], header[6], header[7], header[8]]) as usize;
    if length > MAX_BODY {
        return Err(FrameError::TooLarge(length));
    }
    // Read as it arrives: a header declaring a large body allocates only what is sent.
    let mut body = Vec::with_capacity(length.min(INITIAL_BODY));
    let read = reader
        .take(u64::try_from(length).unwrap_or(u64::MAX))
        .read_to_end(&mut body)
        .await?;
    if read < length {
        return Err(FrameError::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(Request {
        version: header[0],
        flags: header[1],
        stream: i16::from_be_bytes([header[2], header[3]]),
        opcode: header[4],
        body,
    })
}

/// Writes one response frame.
pub(crate) async fn write_frame(
    writer: &mut (impl AsyncWrite + Unpin),
    stream: i16,
    opcode: u8,
    body: &[u8],
) -> std::io::Result<()> {
    let mut frame = Vec::with_capacity(9 + body.len());
    frame.push(RESPONSE | VERSION);
    frame.push(0);
    frame.extend_from_slice(&stream.to_be_bytes());
    frame.push(opcode);
    frame.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
    frame.extend_from_slice(body);
    writer.write_all(&frame).await
}

/// A malformed body: the protocol error the client is sent.
#[derive(Debug)]
pub(crate) struct Malformed(pub(crate) String);

pub(crate) type Parse<T> = Result<T, Malformed>;

/// Reads the protocol's notations from a body.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn take(&mut self, n: usize, what: &str) -> Parse<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(Malformed(format!(
                "not enough bytes to read {what}: {n} needed, {} left",
                self.bytes.len()
            )));
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(taken)
    }

    pub(crate) fn byte(&mut self) -> Parse<u8> {
        Ok(self.take(1, "a byte")?[0])
    }

    pub(crate) fn short(&mut self) -> Parse<u16> {
        let b = self.take(2, "a [short]")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn int(&mut self) -> Parse<i32> {
        let b = self.take(4, "an [int]")?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn long(&mut self) -> Parse<i64> {
        let b = self.take(8, "a [long]")?;
        let mut array = [0u8; 8];
        array.copy_from_slice(b);
        Ok(i64::from_be_bytes(array))
    }

    pub(crate) fn string(&mut self) -> Parse<String> {
        let length = self.short()? as usize;
        let bytes = self.take(length, "a [string]")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Malformed("a [string] is not UTF-8".into()))
    }

    pub(crate) fn long_string(&mut self) -> Parse<String> {
        let length = usize::try_from(self.int()?)
            .map_err(|_| Malformed("a [long string] has a negative length".into()))?;
        let bytes = self.take(length, "a [long string]")?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| Malformed("a [long string] is not UTF-8".into()))
    }

    pub(crate) fn short_bytes(&mut self) -> Parse<Vec<u8>> {
        let length = self.short()? as usize;
        Ok(self.take(length, "[short bytes]")?.to_vec())
    }

    /// `[bytes]`: `None` for a negative length (null).
    pub(crate) fn bytes(&mut self) -> Parse<Option<Vec<u8>>> {
        let length = self.int()?;
        if length < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(length as usize, "[bytes]")?.to_vec()))
    }

    /// `[value]`: a value, null (-1) or not set (-2).
    pub(crate) fn value(&mut self) -> Parse<Bound> {
        let length = self.int()?;
        match length {
            -1 => Ok(Bound::Null),
            -2 => Ok(Bound::Unset),
            n if n < 0 => Err(Malformed(format!("invalid [value] length {n}"))),
            n => Ok(Bound::Value(self.take(n as usize, "a [value]")?.to_vec())),
        }
    }

    pub(crate) fn string_list(&mut self) -> Parse<Vec<String>> {
        let n = self.short()?;
        (0..n).map(|_| self.string()).collect()
    }

    pub(crate) fn string_map(&mut self) -> Parse<HashMap<String, String>> {
        let n = self.short()?;
        let mut map = HashMap::new();
        for _ in 0..n {
            let key = self.string()?;
            let value = self.string()?;
            map.insert(key, value);
        }
        Ok(map)
    }
}

/// A bound value as the client sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    Value(Vec<u8>),
    Null,
    /// Not set: the column is left as it is (protocol v4).
    Unset,
}

/// Writes the protocol's notations.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn short(&mut self, value: u16) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    pub(crate) fn int(&mut self, value: i32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// `[string]`: at most 65,535 bytes (a longer one is cut at a character boundary, so that
    /// the length written matches the bytes).
    pub(crate) fn string(&mut self, value: &str) -> &mut Self {
        let mut end = value.len().min(usize::from(u16::MAX));
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        let value = &value[..end];
        self.short(u16::try_from(value.len()).unwrap_or(u16::MAX));
        self.bytes.extend_from_slice(value.as_bytes());
        self
    }

    pub(crate) fn short_bytes(&mut self, value: &[u8]) -> &mut Self {
        self.short(u16::try_from(value.len()).unwrap_or(u16::MAX));
        self.bytes.extend_from_slice(value);
        self
    }

    /// `[bytes]`, `None` written as null.
    pub(crate) fn bytes(&mut self, value: Option<&[u8]>) -> &mut Self {
        match value {
            Some(value) => {
                self.int(i32::try_from(value.len()).unwrap_or(i32::MAX));
                self.bytes.extend_from_slice(value);
            }
            None => {
                self.int(-1);
            }
        }
        self
    }

    pub(crate) fn string_list(&mut self, values: &[&str]) -> &mut Self {
        self.short(u16::try_from(values.len()).unwrap_or(u16::MAX));
        for value in values {
            self.string(value);
        }
        self
    }

    pub(crate) fn string_multimap(&mut self, map: &[(&str, &[&str])]) -> &mut Self {
        self.short(u16::try_from(map.len()).unwrap_or(u16::MAX));
        for (key, values) in map {
            self.string(key);
            self.string_list(values);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_string_is_cut_to_its_written_length_at_a_char_boundary() {
        let long = "é".repeat(40_000); // 80,000 bytes
        let mut out = Writer::default();
        out.string(&long);
        let length = usize::from(u16::from_be_bytes([out.bytes[0], out.bytes[1]]));
        assert_eq!(
            length,
            out.bytes.len() - 2,
            "the length names the bytes written"
        );
        assert_eq!(length, 65_534, "cut before a two-byte character");
        let read = Reader::new(&out.bytes).string().expect("valid UTF-8");
        assert_eq!(read.chars().count(), 32_767);
    }

    #[tokio::test]
    async fn a_declared_body_is_read_as_it_arrives() {
        // A header declaring 200 MiB, then the connection closes: an error, not a 200 MiB buffer.
        let mut frame = vec![0x04, 0, 0, 1, op::OPTIONS];
        frame.extend_from_slice(&(200u32 * 1024 * 1024).to_be_bytes());
        frame.extend_from_slice(b"short");
        let mut reader: &[u8] = &frame;
        assert!(matches!(
            read_frame(&mut reader).await,
            Err(FrameError::Io(error)) if error.kind() == std::io::ErrorKind::UnexpectedEof
        ));
        let mut whole = vec![0x04, 0, 0, 1, op::OPTIONS, 0, 0, 0, 2, 7, 7];
        whole.extend_from_slice(b"next");
        let mut reader: &[u8] = &whole;
        let request = read_frame(&mut reader).await.expect("a frame");
        assert_eq!(request.body, vec![7, 7]);
        assert_eq!(reader, b"next");
    }
}
