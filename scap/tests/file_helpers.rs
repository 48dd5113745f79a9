//! Byte-level builders shared by the `file_*` tests (included with
//! `#[path]`): events in the wire format, blocks, and a whole small capture.
#![allow(dead_code)]

use scap::schema::{event_info, HEADER_LEN};

/// An event of type `code` in the current wire format, with the length size
/// the schema gives the type.
pub fn event(ts: u64, tid: u64, code: u16, params: &[&[u8]]) -> Vec<u8> {
    let ls = event_info(code).map_or(2, |i| i.param_len_size());
    let mut v = Vec::new();
    v.extend_from_slice(&ts.to_le_bytes());
    v.extend_from_slice(&tid.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&code.to_le_bytes());
    v.extend_from_slice(&(params.len() as u32).to_le_bytes());
    for p in params {
        if ls == 4 {
            v.extend_from_slice(&(p.len() as u32).to_le_bytes());
        } else {
            v.extend_from_slice(&(p.len() as u16).to_le_bytes());
        }
    }
    for p in params {
        v.extend_from_slice(p);
    }
    let len = v.len() as u32;
    v[16..20].copy_from_slice(&len.to_le_bytes());
    assert!(v.len() >= HEADER_LEN);
    v
}

/// The same event with the 22-byte V1 header (no `nparams`).
pub fn event_v1(ts: u64, tid: u64, code: u16, params: &[&[u8]]) -> Vec<u8> {
    let v2 = event(ts, tid, code, params);
    let mut v = Vec::new();
    v.extend_from_slice(&v2[..22]);
    v.extend_from_slice(&v2[26..]);
    let len = v.len() as u32;
    v[16..20].copy_from_slice(&len.to_le_bytes());
    v
}

/// A block: header, body, zero padding to 4, trailer.
pub fn block(ty: u32, body: &[u8]) -> Vec<u8> {
    let pad = (4 - body.len() % 4) % 4;
    let len = (8 + body.len() + pad + 4) as u32;
    let mut v = Vec::new();
    v.extend_from_slice(&ty.to_le_bytes());
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(body);
    v.extend(std::iter::repeat_n(0u8, pad));
    v.extend_from_slice(&len.to_le_bytes());
    v
}

/// A section header block of version `major.minor`.
pub fn shb(major: u16, minor: u16) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    b.extend_from_slice(&major.to_le_bytes());
    b.extend_from_slice(&minor.to_le_bytes());
    b.extend_from_slice(&u64::MAX.to_le_bytes());
    block(0x0A0D_0D0A, &b)
}

/// An EV V2 block.
pub fn ev_block(cpu: u16, ev: &[u8]) -> Vec<u8> {
    let mut b = cpu.to_le_bytes().to_vec();
    b.extend_from_slice(ev);
    block(0x216, &b)
}

/// Little-endian bytes.
pub fn u16le(v: u16) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}
/// Little-endian bytes.
pub fn u32le(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}
/// Little-endian bytes.
pub fn u64le(v: u64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}
/// Little-endian bytes.
pub fn i64le(v: i64) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

/// `u16 len` + bytes, the metadata string encoding.
pub fn str16(s: &[u8]) -> Vec<u8> {
    let mut v = (s.len() as u16).to_le_bytes().to_vec();
    v.extend_from_slice(s);
    v
}

/// A NUL-terminated copy, as string parameters are stored.
pub fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// A small deterministic xorshift generator for mutation tests.
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Reads a whole capture, decoding every parameter of every event; returns
/// the events' bytes or the first error. Never panics on any input (that is
/// what the callers check).
pub fn read_all(bytes: &[u8]) -> Result<Vec<Vec<u8>>, scap::file::FileError> {
    let mut r = scap::file::Reader::new(bytes)?;
    let mut out = Vec::new();
    while let Some(e) = r.next_event()? {
        for p in e.event.params() {
            let _ = p.value();
        }
        out.push(e.event.as_bytes().to_vec());
    }
    Ok(out)
}

/// Like [`read_all`], but continues after recoverable errors, counting them.
pub fn read_lenient(bytes: &[u8]) -> (usize, usize) {
    let Ok(mut r) = scap::file::Reader::new(bytes) else {
        return (0, 1);
    };
    let (mut events, mut errors) = (0, 0);
    for _ in 0..100_000 {
        match r.next_event() {
            Ok(Some(e)) => {
                for p in e.event.params() {
                    let _ = p.value();
                }
                events += 1;
            }
            Ok(None) => break,
            Err(_) => errors += 1,
        }
    }
    (events, errors)
}
