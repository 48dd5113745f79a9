//! A parser for what strace 6.1 prints with `-f -qq -X raw -e verbose=all
//! -e abbrev=none -s N`: one line per call (`PID  name(args) = ret ...`),
//! calls split by other processes (`<unfinished ...>` / `<... resumed>`),
//! and signals (`PID  --- SIGx {siginfo} ---`).
//!
//! Arguments are parsed into a small value tree: numbers (decimal, octal
//! `0640`, hex `0x..`, negative), `a|b` unions of numbers, strings with C
//! escapes (`\n`, `\177`, `\x7f`) and a truncation mark, NULL, arrays
//! (comma- or space-separated, the latter for signal sets, `~[..]` for
//! complements), structs `{k=v, ...}`, calls such as `makedev(..)`, and
//! `before => after` pairs for in/out arguments.

use std::collections::HashMap;

/// A parsed argument.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    /// A number.
    Int(i128),
    /// `a|b|...`: numbers strace shows as a union (flags, capability words).
    Or(Vec<i128>),
    /// A string's bytes; `true` when strace cut it (`"..."...`).
    Str(Vec<u8>, bool),
    /// NULL.
    Null,
    /// `[a, b]` or `[a b]` (signal sets); `~[..]` is `Not`.
    Array(Vec<V>),
    /// `~[...]`.
    Not(Vec<V>),
    /// `{k=v, ...}` (entries without a key get an empty one).
    Struct(Vec<(String, V)>),
    /// `name(args)`.
    Call(String, Vec<V>),
    /// `before => after`.
    Changed(Box<V>, Box<V>),
    /// Any other word (an unknown constant).
    Word(String),
    /// `...` in an array: more elements strace did not show.
    More,
}

impl V {
    /// The number, if this is one (a union is its bitwise or).
    pub fn int(&self) -> Option<i128> {
        match self {
            V::Int(v) => Some(*v),
            V::Or(v) => Some(v.iter().fold(0, |a, b| a | b)),
            V::Changed(_, after) => after.int(),
            _ => None,
        }
    }

    /// The value after the call, for `before => after` pairs; the value
    /// itself otherwise.
    pub fn after(&self) -> &V {
        match self {
            V::Changed(_, a) => a,
            v => v,
        }
    }

    /// The value before the call.
    pub fn before(&self) -> &V {
        match self {
            V::Changed(b, _) => b,
            v => v,
        }
    }

    /// A struct field.
    pub fn field(&self, key: &str) -> Option<&V> {
        match self {
            V::Struct(f) => f.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            V::Changed(_, a) => a.field(key),
            _ => None,
        }
    }

    /// The elements of an array (`[x]` pointers to one value included).
    pub fn items(&self) -> Option<&[V]> {
        match self {
            V::Array(v) => Some(v),
            V::Changed(_, a) => a.items(),
            _ => None,
        }
    }

    /// `[n]`: the number a pointer points to.
    pub fn pointee(&self) -> Option<i128> {
        match self.items()? {
            [one] => one.int(),
            _ => None,
        }
    }

    /// The string's bytes and whether strace cut it.
    pub fn str(&self) -> Option<(&[u8], bool)> {
        match self {
            V::Str(b, t) => Some((b, *t)),
            _ => None,
        }
    }
}

/// One syscall as strace printed it.
#[derive(Clone, Debug)]
pub struct Call {
    /// The thread that made it.
    pub tid: u64,
    /// The syscall's name.
    pub name: String,
    /// Its arguments.
    pub args: Vec<V>,
    /// Its return value (-errno on failure), None for `?`.
    pub ret: Option<i128>,
    /// What strace adds after the return value in parentheses (`poll`'s
    /// returned events, `(Timeout)`), parsed.
    pub extra: Vec<V>,
    /// The line, for messages.
    pub line: String,
}

impl Call {
    /// A `name=value` argument (clone prints its arguments so).
    pub fn named(&self, key: &str) -> Option<&V> {
        self.args.iter().find_map(|a| match a {
            V::Struct(f) if f.len() == 1 && f[0].0 == key => Some(&f[0].1),
            _ => None,
        })
    }
}

/// A signal strace saw delivered.
#[derive(Clone, Debug)]
pub struct Signal {
    /// The receiving thread.
    pub tid: u64,
    /// Its siginfo.
    pub info: V,
    /// The line.
    pub line: String,
}

/// Everything strace printed.
#[derive(Default, Debug)]
pub struct Trace {
    /// Calls in the order strace printed them.
    pub calls: Vec<Call>,
    /// Signals in order.
    pub signals: Vec<Signal>,
}

/// Parses a whole strace output file.
pub fn parse(text: &str) -> Result<Trace, String> {
    let mut t = Trace::default();
    let mut pending: HashMap<u64, String> = HashMap::new();
    for raw in text.lines() {
        let raw = raw.trim_end();
        if raw.is_empty() {
            continue;
        }
        let (tid, rest) = raw
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("no pid: {raw}"))?;
        let tid: u64 = tid.parse().map_err(|_| format!("bad pid: {raw}"))?;
        let rest = rest.trim_start();
        if let Some(sig) = rest.strip_prefix("--- ") {
            // --- SIGUSR1 {si_signo=10, ...} ---
            let body = sig.trim_end_matches(" ---");
            let brace = body.find('{').ok_or_else(|| format!("signal: {raw}"))?;
            let mut p = P::new(&body[brace..]);
            let info = p.value()?;
            t.signals.push(Signal {
                tid,
                info,
                line: raw.to_string(),
            });
            continue;
        }
        if rest.starts_with("+++") {
            continue;
        }
        let line = if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(tid, head.to_string());
            continue;
        } else if let Some(resumed) = rest.strip_prefix("<... ") {
            // <... name resumed>rest
            let (_, tail) = resumed
                .split_once(" resumed>")
                .ok_or_else(|| format!("resumed: {raw}"))?;
            let head = pending
                .remove(&tid)
                .ok_or_else(|| format!("resumed without a start: {raw}"))?;
            format!("{head}{tail}")
        } else {
            rest.to_string()
        };
        t.calls.push(parse_call(tid, &line)?);
    }
    Ok(t)
}

/// `name(args) = ret [ERRNO (text)] [(extra)]`
fn parse_call(tid: u64, line: &str) -> Result<Call, String> {
    let open = line.find('(').ok_or_else(|| format!("no '(': {line}"))?;
    let name = line[..open].to_string();
    let mut p = P::new(&line[open..]);
    p.expect('(')?;
    let mut args = Vec::new();
    p.ws();
    if !p.eat(')') {
        loop {
            // `name=value` arguments (clone's): a struct of one field.
            let save = p.i;
            let key = p.word();
            if !key.is_empty() && p.peek() == Some('=') && p.peek_at(1) != Some('>') {
                p.i += 1;
                let v = p.value()?;
                args.push(V::Struct(vec![(key, v)]));
            } else {
                p.i = save;
                args.push(p.value()?);
            }
            p.ws();
            if p.eat(',') {
                p.ws();
                continue;
            }
            p.expect(')')?;
            break;
        }
    }
    p.ws();
    p.expect('=')?;
    p.ws();
    let ret = if p.eat('?') {
        None
    } else {
        let v = p.number()?;
        Some(v)
    };
    p.ws();
    let mut ret = ret;
    let mut extra = Vec::new();
    if ret == Some(-1) && p.peek().is_some_and(|c| c.is_ascii_uppercase()) {
        let word = p.word();
        let errno = errno(&word).ok_or_else(|| format!("unknown errno {word}: {line}"))?;
        ret = Some(-i128::from(errno));
    } else if p.eat('(') {
        // The extra is free text for some calls ("flags O_RDWR", "Timeout"):
        // keep it only when it parses.
        let mut items = Vec::new();
        loop {
            p.ws();
            match p.value() {
                Ok(v) => items.push(v),
                Err(_) => break,
            }
            p.ws();
            if !p.eat(',') {
                break;
            }
        }
        if p.peek() == Some(')') {
            extra = items;
        }
    }
    Ok(Call {
        tid,
        name,
        args,
        ret,
        extra,
        line: line.to_string(),
    })
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> P<'a> {
    fn new(s: &'a str) -> P<'a> {
        P {
            s: s.as_bytes(),
            i: 0,
        }
    }
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).map(|b| *b as char)
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.i + k).map(|b| *b as char)
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_str(&mut self, s: &str) -> bool {
        if self.s[self.i..].starts_with(s.as_bytes()) {
            self.i += s.len();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected '{c}' at {} in {}",
                self.i,
                String::from_utf8_lossy(self.s)
            ))
        }
    }
    fn ws(&mut self) {
        loop {
            while self.peek() == Some(' ') {
                self.i += 1;
            }
            // Comments: /* 2026-11-28T... */
            if self.eat_str("/*") {
                while self.i < self.s.len() && !self.eat_str("*/") {
                    self.i += 1;
                }
                continue;
            }
            break;
        }
    }
    fn word(&mut self) -> String {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }
    fn number(&mut self) -> Result<i128, String> {
        let neg = self.eat('-');
        let start = self.i;
        let v = if self.eat_str("0x") {
            let h = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.i += 1;
            }
            i128::from_str_radix(std::str::from_utf8(&self.s[h..self.i]).unwrap_or(""), 16)
        } else if self.peek() == Some('0') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            let o = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            i128::from_str_radix(std::str::from_utf8(&self.s[o..self.i]).unwrap_or(""), 8)
        } else {
            let d = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            std::str::from_utf8(&self.s[d..self.i])
                .unwrap_or("")
                .parse::<i128>()
        };
        let v = v.map_err(|_| {
            format!(
                "bad number at {start} in {}",
                String::from_utf8_lossy(self.s)
            )
        })?;
        Ok(if neg { -v } else { v })
    }
    fn string(&mut self) -> Result<V, String> {
        self.expect('"')?;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated string".into());
            };
            self.i += 1;
            match c {
                '"' => break,
                '\\' => {
                    let e = self.peek().ok_or("bad escape")?;
                    self.i += 1;
                    match e {
                        'n' => out.push(b'\n'),
                        't' => out.push(b'\t'),
                        'r' => out.push(b'\r'),
                        'v' => out.push(0x0b),
                        'f' => out.push(0x0c),
                        'a' => out.push(0x07),
                        'b' => out.push(0x08),
                        '\\' => out.push(b'\\'),
                        '"' => out.push(b'"'),
                        'x' => {
                            let h = std::str::from_utf8(&self.s[self.i..self.i + 2])
                                .map_err(|_| "bad \\x")?;
                            out.push(u8::from_str_radix(h, 16).map_err(|_| "bad \\x")?);
                            self.i += 2;
                        }
                        '0'..='7' => {
                            let mut v = e as u32 - '0' as u32;
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ '0'..='7') => {
                                        v = v * 8 + (d as u32 - '0' as u32);
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => return Err(format!("unknown escape \\{other}")),
                    }
                }
                _ => out.push(c as u8),
            }
        }
        let cut = self.eat_str("...");
        Ok(V::Str(out, cut))
    }
    fn value(&mut self) -> Result<V, String> {
        self.ws();
        let v = self.value1()?;
        // in/out arguments: `[1] => [4]`, `110 => 0`
        let save = self.i;
        self.ws();
        if self.eat_str("=>") {
            self.ws();
            let after = self.value1()?;
            return Ok(V::Changed(Box::new(v), Box::new(after)));
        }
        self.i = save;
        Ok(v)
    }
    fn value1(&mut self) -> Result<V, String> {
        match self.peek() {
            Some('"') => self.string(),
            Some('[') => {
                self.i += 1;
                Ok(V::Array(self.items(']')?))
            }
            Some('~') => {
                self.i += 1;
                self.expect('[')?;
                Ok(V::Not(self.items(']')?))
            }
            Some('{') => {
                self.i += 1;
                let mut fields = Vec::new();
                loop {
                    self.ws();
                    if self.eat('}') {
                        break;
                    }
                    if self.eat_str("...") {
                        continue;
                    }
                    let save = self.i;
                    let key = self.word();
                    let key = if !key.is_empty() && self.eat('=') {
                        key
                    } else {
                        self.i = save;
                        String::new()
                    };
                    let v = self.value()?;
                    fields.push((key, v));
                    self.ws();
                    if !self.eat(',') {
                        self.ws();
                        self.expect('}')?;
                        break;
                    }
                }
                Ok(V::Struct(fields))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let first = self.number()?;
                if self.peek() == Some('|') {
                    let mut v = vec![first];
                    while self.eat('|') {
                        v.push(self.number()?);
                    }
                    return Ok(V::Or(v));
                }
                Ok(V::Int(first))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let w = self.word();
                if w == "NULL" {
                    return Ok(V::Null);
                }
                if self.eat('(') {
                    let args = self.items(')')?;
                    return Ok(V::Call(w, args));
                }
                // A labelled value: `left {tv_sec=0, tv_nsec=0}`.
                if self.peek() == Some(' ') && self.peek_at(1) == Some('{') {
                    self.i += 1;
                    let v = self.value1()?;
                    return Ok(V::Call(w, vec![v]));
                }
                Ok(V::Word(w))
            }
            Some('.') if self.eat_str("...") => Ok(V::More),
            other => Err(format!(
                "unexpected {other:?} at {} in {}",
                self.i,
                String::from_utf8_lossy(self.s)
            )),
        }
    }
    /// Items up to `close`, separated by commas or (signal sets) spaces.
    fn items(&mut self, close: char) -> Result<Vec<V>, String> {
        let mut v = Vec::new();
        loop {
            self.ws();
            if self.eat(close) {
                return Ok(v);
            }
            v.push(self.value()?);
            self.ws();
            self.eat(',');
        }
    }
}

/// The errno of a name strace prints.
pub fn errno(name: &str) -> Option<i32> {
    use libc::*;
    Some(match name {
        "EPERM" => EPERM,
        "ENOENT" => ENOENT,
        "ESRCH" => ESRCH,
        "EINTR" => EINTR,
        "EIO" => EIO,
        "ENXIO" => ENXIO,
        "E2BIG" => E2BIG,
        "ENOEXEC" => ENOEXEC,
        "EBADF" => EBADF,
        "ECHILD" => ECHILD,
        "EAGAIN" => EAGAIN,
        "ENOMEM" => ENOMEM,
        "EACCES" => EACCES,
        "EFAULT" => EFAULT,
        "EBUSY" => EBUSY,
        "EEXIST" => EEXIST,
        "EXDEV" => EXDEV,
        "ENODEV" => ENODEV,
        "ENOTDIR" => ENOTDIR,
        "EISDIR" => EISDIR,
        "EINVAL" => EINVAL,
        "ENFILE" => ENFILE,
        "EMFILE" => EMFILE,
        "ENOTTY" => ENOTTY,
        "EFBIG" => EFBIG,
        "ENOSPC" => ENOSPC,
        "ESPIPE" => ESPIPE,
        "EROFS" => EROFS,
        "EMLINK" => EMLINK,
        "EPIPE" => EPIPE,
        "ERANGE" => ERANGE,
        "ENAMETOOLONG" => ENAMETOOLONG,
        "ENOSYS" => ENOSYS,
        "ENOTEMPTY" => ENOTEMPTY,
        "ELOOP" => ELOOP,
        "ENOTSOCK" => ENOTSOCK,
        "EDESTADDRREQ" => EDESTADDRREQ,
        "EMSGSIZE" => EMSGSIZE,
        "EPROTOTYPE" => EPROTOTYPE,
        "ENOPROTOOPT" => ENOPROTOOPT,
        "EPROTONOSUPPORT" => EPROTONOSUPPORT,
        "EOPNOTSUPP" => EOPNOTSUPP,
        "EAFNOSUPPORT" => EAFNOSUPPORT,
        "EADDRINUSE" => EADDRINUSE,
        "EADDRNOTAVAIL" => EADDRNOTAVAIL,
        "ENOTCONN" => ENOTCONN,
        "ECONNREFUSED" => ECONNREFUSED,
        "EINPROGRESS" => EINPROGRESS,
        "EALREADY" => EALREADY,
        "EISCONN" => EISCONN,
        "ETIMEDOUT" => ETIMEDOUT,
        "ENOTSUP" => ENOTSUP,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let t = parse(concat!(
            "12  openat(-100, \"/tmp/a\\n\\177\\x41\", 0x80242, 0640) = 3\n",
            "12  read(9999, 0x7ffe, 5)     = -1 EBADF (Bad file descriptor)\n",
            "12  sendfile(4, 3, [2] => [7], 5)     = 5\n",
            "12  poll([{fd=5, events=0x1}], 1, 0) = 1 ([{fd=5, revents=0x1}])\n",
            "12  fcntl(3, 0x3)                     = 0x8002 (flags O_RDWR|O_LARGEFILE)\n",
            "12  signalfd4(-1, [1 12], 8, 0x80800) = 11\n",
            "12  capget({version=0x20080522, pid=0}, {effective=0xfeffffff|0x1ff}) = 0\n",
            "12  recvmsg(3, {msg_namelen=110 => 16}, 0x40) = 12\n",
            "12  --- SIGUSR1 {si_signo=10, si_code=0, si_pid=8983, si_uid=0} ---\n",
            "12  read(3, \"abc\"..., 3) = 3\n",
            "12  clone(child_stack=NULL, flags=17) = 13\n",
        ))
        .unwrap();
        let c = &t.calls;
        assert_eq!(c[0].args[1], V::Str(b"/tmp/a\n\x7fA".to_vec(), false));
        assert_eq!(c[0].args[3], V::Int(0o640));
        assert_eq!(c[1].ret, Some(-9));
        assert_eq!(c[2].args[2].after().pointee(), Some(7));
        assert_eq!(c[3].extra[0].items().unwrap().len(), 1);
        assert_eq!(c[4].ret, Some(0x8002));
        assert_eq!(c[5].args[1].items().unwrap().len(), 2);
        assert_eq!(
            c[6].args[1].field("effective"),
            Some(&V::Or(vec![0xfeffffff, 0x1ff]))
        );
        assert_eq!(c[7].args[1].field("msg_namelen").unwrap().int(), Some(16));
        assert_eq!(t.signals[0].info.field("si_pid").unwrap().int(), Some(8983));
        assert_eq!(c[8].args[1].str(), Some((&b"abc"[..], true)));
        assert_eq!(c[9].named("flags").and_then(V::int), Some(17));
        assert_eq!(c[9].named("child_stack"), Some(&V::Null));
    }
}
