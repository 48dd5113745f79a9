//! Turning constants into typed values, once, at compile time.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

/// An integer written in decimal: `[+-]?digits` for signed types, `digits`
/// (an optional `+`) for unsigned ones, inside `[min, max]`. Hex and floats
/// are rejected, as libsinsp's `sscanf` with trailing-garbage check does.
pub(crate) fn parse_int(s: &str, min: i128, max: i128) -> Result<i128, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a decimal integer");
    }
    if s.starts_with('-') && min >= 0 {
        return Err("the field is unsigned");
    }
    let v: i128 = s.parse().map_err(|_| "out of range")?;
    if v < min || v > max {
        return Err("out of range");
    }
    Ok(v)
}

/// A floating-point constant (decimal, optional fraction and exponent).
pub(crate) fn parse_double(s: &str) -> Result<f64, &'static str> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if !ok {
        return Err("expected a decimal number");
    }
    s.parse::<f64>().map_err(|_| "expected a decimal number")
}

/// `true` or `false`, exactly.
pub(crate) fn parse_bool(s: &str) -> Result<bool, &'static str> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("expected true or false"),
    }
}

/// An IPv4 or IPv6 address (`inet_pton` syntax).
pub(crate) fn parse_ip(s: &str) -> Result<IpAddr, &'static str> {
    s.parse::<IpAddr>()
        .map_err(|_| "expected an IPv4 or IPv6 address")
}

/// A network: `a.b.c.d/len` or `ipv6/len`. A bare address is the network of
/// that one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub(crate) fn parse(s: &str) -> Result<Cidr, &'static str> {
        let (a, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr = parse_ip(a).map_err(|_| "expected a network such as 10.0.0.0/8")?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match len {
            None => max,
            Some(l) => match l.parse::<u8>() {
                Ok(p) if p <= max && l.bytes().all(|b| b.is_ascii_digit()) => p,
                _ => return Err("invalid prefix length"),
            },
        };
        Ok(Cidr { addr, prefix })
    }

    pub(crate) fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(*a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(*a) & mask
            }
            _ => false,
        }
    }
}

/// A port: digits, or a service name from `/etc/services`
/// (`getservbyname` semantics: any protocol, aliases too).
pub(crate) fn parse_port(s: &str) -> Result<u16, &'static str> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u16>().map_err(|_| "out of range");
    }
    services()
        .get(s)
        .copied()
        .ok_or("expected a port number or a service name from /etc/services")
}

fn services() -> &'static HashMap<String, u16> {
    static S: OnceLock<HashMap<String, u16>> = OnceLock::new();
    S.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/services").unwrap_or_default();
        parse_services(&text)
    })
}

/// `name port/proto [aliases...] [# comment]` lines; the first entry of a
/// name wins.
fn parse_services(text: &str) -> HashMap<String, u16> {
    let mut m = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(name), Some(port)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(Ok(port)) = port.split('/').next().map(str::parse::<u16>) else {
            continue;
        };
        for n in std::iter::once(name).chain(words) {
            m.entry(n.to_string()).or_insert(port);
        }
    }
    m
}

/// Hex digits, two per byte (`bcontains 2f62696e`); no `0x`.
pub(crate) fn parse_hex(s: &[u8]) -> Result<Vec<u8>, &'static str> {
    if s.len() % 2 != 0 {
        return Err("expected an even number of hex digits");
    }
    s.chunks(2)
        .map(|p| {
            let hi = (p[0] as char).to_digit(16);
            let lo = (p[1] as char).to_digit(16);
            match (hi, lo) {
                (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                _ => Err("expected hex digits (without 0x)"),
            }
        })
        .collect()
}

/// Standard base64 decoding, padding optional; None when malformed.
pub(crate) fn b64_decode(s: &[u8]) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let body = match s.iter().position(|&c| c == b'=') {
        Some(p) => {
            // Only padding after the first '=', at most two of them.
            if s.len() - p > 2 || !s[p..].iter().all(|&c| c == b'=') {
                return None;
            }
            &s[..p]
        }
        None => s,
    };
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | val(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]),
            3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
            2 => out.push((acc >> 4) as u8),
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_decimal_only() {
        assert_eq!(parse_int("42", 0, 100), Ok(42));
        assert_eq!(parse_int("+42", 0, 100), Ok(42));
        assert_eq!(parse_int("-3", -10, 10), Ok(-3));
        assert!(parse_int("-3", 0, 10).is_err());
        assert!(parse_int("0x10", 0, 100).is_err());
        assert!(parse_int("1.5", 0, 100).is_err());
        assert!(parse_int("1e3", 0, 10000).is_err());
        assert!(parse_int("12abc", 0, 100).is_err());
        assert!(parse_int("", 0, 100).is_err());
        assert!(parse_int("65536", 0, 65535).is_err());
    }

    #[test]
    fn networks() {
        let n = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(n.contains(&"10.1.2.3".parse().unwrap()));
        assert!(!n.contains(&"11.0.0.1".parse().unwrap()));
        assert!(!n.contains(&"::1".parse().unwrap()));
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(&"1.2.3.4".parse().unwrap()));
        let v6 = Cidr::parse("fd00::/8").unwrap();
        assert!(v6.contains(&"fd12::1".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0/8").is_err());
        let host = Cidr::parse("192.168.1.1").unwrap();
        assert!(host.contains(&"192.168.1.1".parse().unwrap()));
        assert!(!host.contains(&"192.168.1.2".parse().unwrap()));
    }

    #[test]
    fn services_file() {
        let m = parse_services(
            "# comment\nhttp\t\t80/tcp\t\twww # WorldWideWeb HTTP\nhttp 80/udp\nssh 22/tcp\n",
        );
        assert_eq!(m.get("http"), Some(&80));
        assert_eq!(m.get("www"), Some(&80));
        assert_eq!(m.get("ssh"), Some(&22));
        assert_eq!(parse_port("8080"), Ok(8080));
        assert!(parse_port("99999").is_err());
    }

    #[test]
    fn hex_and_base64() {
        assert_eq!(parse_hex(b"2f62696e").unwrap(), b"/bin");
        assert_eq!(parse_hex(b"2F62").unwrap(), b"/b");
        assert!(parse_hex(b"0x2f").is_err());
        assert!(parse_hex(b"2f6").is_err());
        assert_eq!(b64_decode(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(b64_decode(b"aGVsbG8").unwrap(), b"hello");
        assert_eq!(b64_decode(b"aGk=").unwrap(), b"hi");
        assert_eq!(b64_decode(b"").unwrap(), b"");
        assert!(b64_decode(b"a").is_none());
        assert!(b64_decode(b"a$==").is_none());
        assert!(b64_decode(b"aG=k").is_none());
    }
}
