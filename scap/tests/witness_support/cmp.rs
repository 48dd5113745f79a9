//! Comparing one event with what strace showed of the same call, parameter
//! by parameter. Every parameter of the event must be compared, found empty
//! where it must be, or skipped with the reason strace cannot show it; a
//! parameter nobody looked at is itself a mismatch, so no parameter goes
//! unchecked silently.

use scap::params::{DynValue, SockAddr, SockTuple};
use scap::schema::{EventInfo, ParamType, ValueTable};
use scap::{Event, ParamValue};

use super::strace::V;

/// The outcome of comparing one event.
#[derive(Default, Debug)]
pub struct Outcome {
    /// Parameters compared with a value strace showed.
    pub compared: usize,
    /// Parameters strace does not show (with why), not compared.
    pub skipped: Vec<(String, &'static str)>,
    /// What disagreed.
    pub mismatches: Vec<String>,
}

/// The comparison of one event with one strace call.
pub struct Cmp<'e> {
    ev: Event<'e>,
    info: &'static EventInfo,
    seen: Vec<bool>,
    out: Outcome,
}

/// The snaplen the witness captures with: `data` parameters hold the first
/// this-many bytes.
pub const SNAPLEN: usize = 4096;

fn width_mask(ty: ParamType) -> u128 {
    match ty.fixed_size() {
        Some(1) => 0xff,
        Some(2) => 0xffff,
        Some(4) => 0xffff_ffff,
        _ => u64::MAX as u128,
    }
}

impl<'e> Cmp<'e> {
    /// Starts comparing `ev`.
    pub fn new(ev: Event<'e>) -> Cmp<'e> {
        let info = ev.info().expect("events of the probe have a schema entry");
        Cmp {
            ev,
            info,
            seen: vec![false; info.params.len()],
            out: Outcome::default(),
        }
    }

    /// The event's parameter names, in order.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.info.params.iter().map(|p| p.name).collect()
    }

    fn fail(&mut self, msg: String) {
        self.out.mismatches.push(msg);
    }

    fn at(&mut self, p: &str) -> Option<usize> {
        match self.info.param_index(p) {
            Some(i) => {
                self.seen[i] = true;
                Some(i)
            }
            None => {
                self.fail(format!("the event has no parameter {p}"));
                None
            }
        }
    }

    fn value(&self, i: usize) -> Result<ParamValue<'e>, String> {
        self.ev
            .param(i)
            .and_then(|p| p.value())
            .map_err(|e| format!("{}: {e}", self.info.params[i].name))
    }

    /// The raw number of parameter `i` (little-endian, signed by type).
    fn number(&self, i: usize) -> Option<u128> {
        let b = self.ev.param_bytes(i).ok()?;
        if b.is_empty() || b.len() > 8 {
            return None;
        }
        let mut v = [0u8; 16];
        v[..b.len()].copy_from_slice(b);
        Some(u128::from_le_bytes(v))
    }

    /// An integer parameter equals `exp` (compared at the parameter's width,
    /// so -1 and 0xffffffff agree for a 32-bit one).
    pub fn num(&mut self, p: &str, exp: i128) {
        let Some(i) = self.at(p) else { return };
        let mask = width_mask(self.info.params[i].ty);
        match self.number(i) {
            Some(got) if got & mask == (exp as u128) & mask => self.out.compared += 1,
            Some(got) => self.fail(format!("{p}: ours {got:#x}, strace {exp:#x}")),
            None => self.fail(format!("{p}: ours empty, strace {exp:#x}")),
        }
    }

    /// `num`, or empty when strace shows no value (`None`).
    pub fn num_or_absent(&mut self, p: &str, exp: Option<i128>) {
        match exp {
            Some(v) => self.num(p, v),
            None => self.absent(p),
        }
    }

    /// The parameter is empty (length 0).
    pub fn absent(&mut self, p: &str) {
        let Some(i) = self.at(p) else { return };
        match self.ev.param_bytes(i) {
            Ok([]) => self.out.compared += 1,
            Ok(b) => self.fail(format!("{p}: ours {b:?}, expected empty")),
            Err(e) => self.fail(format!("{p}: {e}")),
        }
    }

    /// Not shown by strace: not compared, with the reason.
    pub fn skip(&mut self, p: &str, why: &'static str) {
        if self.at(p).is_some() {
            self.out.skipped.push((p.to_string(), why));
        }
    }

    /// A comparison made by the caller: `ok`, or the mismatch `msg`.
    pub fn verdict(&mut self, p: &str, ok: bool, msg: String) {
        if self.at(p).is_none() {
            return;
        }
        if ok {
            self.out.compared += 1;
        } else {
            self.fail(format!("{p}: {msg}"));
        }
    }

    /// Was the parameter compared or skipped already?
    pub fn is_seen(&self, p: &str) -> bool {
        self.info.param_index(p).is_some_and(|i| self.seen[i])
    }

    /// The decoded value of a parameter, without comparing it.
    pub fn peek(&self, p: &str) -> Option<ParamValue<'e>> {
        let i = self.info.param_index(p)?;
        self.value(i).ok()
    }

    /// A string parameter equals strace's string (None: NULL, so empty).
    pub fn text(&mut self, p: &str, exp: Option<&V>) {
        let Some(i) = self.at(p) else { return };
        let got = self.value(i);
        match (exp, got) {
            (None | Some(V::Null), Ok(ParamValue::Absent)) => self.out.compared += 1,
            (Some(V::Str(s, cut)), Ok(ParamValue::Str(g))) => {
                let ok = if *cut { g.starts_with(s) } else { g == &s[..] };
                if ok {
                    self.out.compared += 1;
                } else {
                    self.fail(format!(
                        "{p}: ours {:?}, strace {:?}",
                        String::from_utf8_lossy(g),
                        String::from_utf8_lossy(s)
                    ));
                }
            }
            (e, g) => self.fail(format!("{p}: ours {g:?}, strace {e:?}")),
        }
    }

    /// A data parameter holds the first `n` bytes (cut at the snaplen) of
    /// strace's buffer; None: no data (a failed call), so empty.
    pub fn data(&mut self, p: &str, exp: Option<(&[u8], bool)>, n: usize) {
        let Some(i) = self.at(p) else { return };
        let got = match self.ev.param_bytes(i) {
            Ok(b) => b,
            Err(e) => return self.fail(format!("{p}: {e}")),
        };
        let Some((s, cut)) = exp.filter(|_| n > 0) else {
            if got.is_empty() {
                self.out.compared += 1;
            } else {
                self.fail(format!("{p}: ours {} bytes, expected none", got.len()));
            }
            return;
        };
        let want = n.min(SNAPLEN);
        let k = want.min(s.len());
        if got.len() != want {
            self.fail(format!("{p}: ours {} bytes, expected {want}", got.len()));
        } else if got[..k] != s[..k] || (!cut && s.len() < want) {
            self.fail(format!(
                "{p}: ours {:?}, strace {:?}",
                String::from_utf8_lossy(&got[..k.min(64)]),
                String::from_utf8_lossy(&s[..k.min(64)])
            ));
        } else {
            self.out.compared += 1;
        }
    }

    /// A NUL-separated list parameter (`args`, `env`) holds `exp`, cut at
    /// `cap` bytes.
    pub fn list(&mut self, p: &str, exp: &[u8], cap: usize) {
        let Some(i) = self.at(p) else { return };
        let got = match self.ev.param_bytes(i) {
            Ok(b) => b,
            Err(e) => return self.fail(format!("{p}: {e}")),
        };
        let want = &exp[..exp.len().min(cap)];
        if got == want {
            self.out.compared += 1;
        } else {
            self.fail(format!(
                "{p}: ours {:?}, strace {:?}",
                String::from_utf8_lossy(&got[..got.len().min(120)]),
                String::from_utf8_lossy(&want[..want.len().min(120)])
            ));
        }
    }

    fn table(&self, i: usize) -> Option<&'static ValueTable> {
        self.info.params[i].table
    }

    /// A flags or enum parameter equals the schema value of the kernel value
    /// `kernel`, converted by name through `map` ((kernel bits, schema
    /// name) pairs, looked up in the parameter's own table). A bit the
    /// schema has no name for converts to nothing.
    pub fn flags(&mut self, p: &str, kernel: i128, map: &[(i128, &str)]) {
        let Some(i) = self.info.param_index(p) else {
            self.at(p);
            return;
        };
        let Some(table) = self.table(i) else {
            self.at(p);
            return self.fail(format!("{p} has no value table"));
        };
        let mut exp: u32 = 0;
        for (bits, name) in map {
            if *bits != 0 && kernel & bits == *bits {
                match table.value_of(name) {
                    Some(v) => exp |= v,
                    None => return self.fail(format!("{p}: {} has no {name}", table.name)),
                }
            }
        }
        self.num(p, i128::from(exp));
    }

    /// An enum parameter equals the schema value named `name`.
    pub fn named(&mut self, p: &str, name: &str) {
        let Some(i) = self.info.param_index(p) else {
            self.at(p);
            return;
        };
        match self.table(i).and_then(|t| t.value_of(name)) {
            Some(v) => self.num(p, i128::from(v)),
            None => {
                self.at(p);
                self.fail(format!("{p}: no value named {name}"));
            }
        }
    }

    /// A dynamic parameter: its selector and its value.
    pub fn dyn_num(&mut self, p: &str, selector: u8, exp: i128) {
        let Some(i) = self.at(p) else { return };
        match self.value(i) {
            Ok(ParamValue::Dyn(DynValue { index, bytes, .. })) if index == selector => {
                let mut v = [0u8; 16];
                v[..bytes.len().min(8)].copy_from_slice(&bytes[..bytes.len().min(8)]);
                let got = u128::from_le_bytes(v);
                let mask = match bytes.len() {
                    1 => 0xff,
                    2 => 0xffff,
                    4 => 0xffff_ffff,
                    _ => u64::MAX as u128,
                };
                if got & mask == (exp as u128) & mask {
                    self.out.compared += 1;
                } else {
                    self.fail(format!("{p}: ours {got:#x}, strace {exp:#x}"));
                }
            }
            other => self.fail(format!(
                "{p}: ours {other:?}, expected selector {selector} value {exp:#x}"
            )),
        }
    }

    /// A dynamic parameter holding raw bytes.
    pub fn dyn_bytes(&mut self, p: &str, selector: u8, exp: &[u8]) {
        let Some(i) = self.at(p) else { return };
        match self.value(i) {
            Ok(ParamValue::Dyn(DynValue { index, bytes, .. }))
                if index == selector && bytes == exp =>
            {
                self.out.compared += 1
            }
            other => self.fail(format!(
                "{p}: ours {other:?}, expected selector {selector} bytes {exp:?}"
            )),
        }
    }

    /// A sockaddr parameter equals strace's socket address struct.
    pub fn sockaddr(&mut self, p: &str, exp: &V) {
        let Some(i) = self.at(p) else { return };
        let want = match endpoint(exp) {
            Some(e) => e,
            None => return self.fail(format!("{p}: strace address {exp:?} not understood")),
        };
        match (self.value(i), &want) {
            (Ok(ParamValue::SockAddr(SockAddr::Inet(a))), Endpoint::Inet(ip, port))
                if a.ip().octets() == *ip && a.port() == *port =>
            {
                self.out.compared += 1
            }
            (Ok(ParamValue::SockAddr(SockAddr::Inet6(a))), Endpoint::Inet6(ip, port))
                if a.ip().octets() == *ip && a.port() == *port =>
            {
                self.out.compared += 1
            }
            (Ok(ParamValue::SockAddr(SockAddr::Unix(path))), Endpoint::Unix(want))
                if path == &want[..] =>
            {
                self.out.compared += 1
            }
            (got, _) => self.fail(format!("{p}: ours {got:?}, strace {want:?}")),
        }
    }

    /// The remote end of a tuple parameter (the destination when
    /// `outbound`, the source otherwise) equals strace's address.
    pub fn tuple_remote(&mut self, p: &str, exp: &V, outbound: bool) {
        let Some(i) = self.at(p) else { return };
        let want = match endpoint(exp) {
            Some(e) => e,
            None => return self.fail(format!("{p}: strace address {exp:?} not understood")),
        };
        let ok = match (self.value(i), &want) {
            (Ok(ParamValue::SockTuple(SockTuple::Inet { src, dst })), Endpoint::Inet(ip, port)) => {
                let r = if outbound { dst } else { src };
                r.ip().octets() == *ip && r.port() == *port
            }
            (
                Ok(ParamValue::SockTuple(SockTuple::Inet6 { src, dst })),
                Endpoint::Inet6(ip, port),
            ) => {
                let r = if outbound { dst } else { src };
                r.ip().octets() == *ip && r.port() == *port
            }
            (Ok(ParamValue::SockTuple(SockTuple::Unix { path, .. })), Endpoint::Unix(want)) => {
                path == &want[..]
            }
            _ => false,
        };
        if ok {
            self.out.compared += 1;
        } else {
            let got = self.value(i);
            self.fail(format!("{p}: ours {got:?}, strace remote end {want:?}"));
        }
    }

    /// The parameter is present (not empty): for values strace cannot show
    /// but a successful call must produce.
    pub fn present(&mut self, p: &str, why: &'static str) {
        let Some(i) = self.at(p) else { return };
        match self.ev.param_bytes(i) {
            Ok([]) => self.fail(format!("{p}: empty, expected a value")),
            Ok(_) => self.out.skipped.push((p.to_string(), why)),
            Err(e) => self.fail(format!("{p}: {e}")),
        }
    }

    /// Ends the comparison: parameters nobody looked at are mismatches.
    pub fn finish(mut self) -> Outcome {
        for (i, seen) in self.seen.iter().enumerate() {
            if !seen {
                self.out
                    .mismatches
                    .push(format!("{}: not checked", self.info.params[i].name));
            }
        }
        self.out
    }
}

/// A socket address as strace shows it (`-X raw`: port and address as
/// network-order byte strings).
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    /// IPv4 address and port.
    Inet([u8; 4], u16),
    /// IPv6 address and port.
    Inet6([u8; 16], u16),
    /// A UNIX socket path.
    Unix(Vec<u8>),
}

/// The endpoint strace shows in `v`.
pub fn endpoint(v: &V) -> Option<Endpoint> {
    let v = v.after();
    let family = v.field("sa_family")?.int()?;
    let bytes = |k: &str| -> Option<Vec<u8>> {
        match v.field(k)? {
            V::Str(b, _) => Some(b.clone()),
            V::Call(f, args) if f == "htons" => {
                Some((args.first()?.int()? as u16).to_be_bytes().to_vec())
            }
            _ => None,
        }
    };
    match family as i32 {
        libc::AF_INET => {
            let port = bytes("sin_port")?;
            let addr = bytes("sin_addr")?;
            Some(Endpoint::Inet(
                addr.try_into().ok()?,
                u16::from_be_bytes(port.try_into().ok()?),
            ))
        }
        libc::AF_INET6 => {
            let port = bytes("sin6_port")?;
            let addr = bytes("sin6_addr")?;
            Some(Endpoint::Inet6(
                addr.try_into().ok()?,
                u16::from_be_bytes(port.try_into().ok()?),
            ))
        }
        libc::AF_UNIX => Some(Endpoint::Unix(match v.field("sun_path") {
            Some(V::Str(b, _)) => b.clone(),
            _ => Vec::new(),
        })),
        _ => None,
    }
}
