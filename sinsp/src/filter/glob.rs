//! Shell patterns (`glob`, `iglob`) and path-prefix sets (`pmatch`).
//!
//! [`fnmatch`] follows POSIX `fnmatch(3)` without flags, byte by byte (the C
//! locale): `*` matches any run of bytes, `/` and a leading `.` included;
//! `?` one byte; `[...]` a set (`[!...]` or `[^...]` its complement, ranges
//! `a-z`, classes `[:alpha:]`); a backslash makes the next byte literal. An
//! unterminated `[` is a literal `[`. `casefold` makes it ASCII
//! case-insensitive (`FNM_CASEFOLD`).

use std::collections::HashMap;

/// Does `text` match the shell pattern `pat`?
pub fn fnmatch(pat: &[u8], text: &[u8], casefold: bool) -> bool {
    let fold = |c: u8| if casefold { c.to_ascii_lowercase() } else { c };
    let (mut p, mut t) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pat.len() {
            let advanced = match pat[p] {
                b'*' => {
                    while p < pat.len() && pat[p] == b'*' {
                        p += 1;
                    }
                    star = Some((p, t));
                    continue;
                }
                b'?' => (t < text.len()).then_some(p + 1),
                b'[' => match bracket(pat, p, text.get(t).copied(), casefold) {
                    Some((true, end)) => Some(end),
                    Some((false, _)) => None,
                    // Unterminated: a literal '['.
                    None => (text.get(t) == Some(&b'[')).then_some(p + 1),
                },
                b'\\' if p + 1 < pat.len() => {
                    (t < text.len() && fold(pat[p + 1]) == fold(text[t])).then_some(p + 2)
                }
                c => (t < text.len() && fold(c) == fold(text[t])).then_some(p + 1),
            };
            if let Some(np) = advanced {
                p = np;
                t += 1;
                continue;
            }
        } else if t == text.len() {
            return true;
        }
        // Mismatch: let the last `*` take one more byte.
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

/// Matches the bracket expression at `pat[p] == '['` against `c`:
/// (matched, index after the `]`), or None when the bracket is not closed.
fn bracket(pat: &[u8], p: usize, c: Option<u8>, casefold: bool) -> Option<(bool, usize)> {
    let mut i = p + 1;
    let negate = matches!(pat.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let candidates = |x: u8| -> [u8; 2] {
        if casefold {
            [x.to_ascii_lowercase(), x.to_ascii_uppercase()]
        } else {
            [x, x]
        }
    };
    let mut hit = false;
    let mut first = true;
    loop {
        let &b = pat.get(i)?;
        if b == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        if b == b'[' && pat.get(i + 1) == Some(&b':') {
            if let Some(len) = pat[i + 2..].windows(2).position(|w| w == b":]") {
                let name = &pat[i + 2..i + 2 + len];
                if let Some(c) = c {
                    hit |= candidates(c).iter().any(|&x| class(name, x));
                }
                i += 2 + len + 2;
                continue;
            }
        }
        let (lo, next) = literal_at(pat, i)?;
        i = next;
        let hi = if pat.get(i) == Some(&b'-') && pat.get(i + 1).is_some_and(|&x| x != b']') {
            let (hi, next) = literal_at(pat, i + 1)?;
            i = next;
            hi
        } else {
            lo
        };
        if let Some(c) = c {
            hit |= candidates(c).iter().any(|&x| lo <= x && x <= hi);
        }
    }
    Some((c.is_some() && hit != negate, i))
}

/// The byte at `i`, after a possible backslash: (byte, next index).
fn literal_at(pat: &[u8], i: usize) -> Option<(u8, usize)> {
    match pat.get(i)? {
        b'\\' => pat.get(i + 1).map(|&b| (b, i + 2)),
        &b => Some((b, i + 1)),
    }
}

fn class(name: &[u8], c: u8) -> bool {
    match name {
        b"alpha" => c.is_ascii_alphabetic(),
        b"digit" => c.is_ascii_digit(),
        b"alnum" => c.is_ascii_alphanumeric(),
        b"upper" => c.is_ascii_uppercase(),
        b"lower" => c.is_ascii_lowercase(),
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
        b"blank" => matches!(c, b' ' | b'\t'),
        b"xdigit" => c.is_ascii_hexdigit(),
        b"punct" => c.is_ascii_punctuation(),
        b"print" => (0x20..0x7f).contains(&c),
        b"graph" => c.is_ascii_graphic(),
        b"cntrl" => c.is_ascii_control(),
        _ => false,
    }
}

/// Does the pattern use any glob syntax?
fn has_magic(s: &[u8]) -> bool {
    s.iter().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
}

/// A set of paths for `pmatch`: a value matches when one of the paths is a
/// prefix of it by whole components (`/var/run` matches `/var/run/docker`,
/// not `/var/runx`). A component of a listed path may be a glob.
#[derive(Debug, Default)]
pub(crate) struct PathSet {
    root: TrieNode,
}

#[derive(Debug, Default)]
struct TrieNode {
    end: bool,
    exact: HashMap<Box<[u8]>, TrieNode>,
    globs: Vec<(Box<[u8]>, TrieNode)>,
}

fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> + Clone {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

impl PathSet {
    pub(crate) fn insert(&mut self, path: &[u8]) {
        let mut node = &mut self.root;
        for c in components(path) {
            node = if has_magic(c) {
                match node.globs.iter().position(|(g, _)| &**g == c) {
                    Some(k) => &mut node.globs[k].1,
                    None => {
                        node.globs.push((c.into(), TrieNode::default()));
                        &mut node.globs.last_mut().expect("just pushed").1
                    }
                }
            } else {
                node.exact.entry(c.into()).or_default()
            };
        }
        node.end = true;
    }

    pub(crate) fn matches(&self, path: &[u8]) -> bool {
        self.root.matches(components(path))
    }
}

impl TrieNode {
    fn matches<'a>(&self, mut comps: impl Iterator<Item = &'a [u8]> + Clone) -> bool {
        if self.end {
            return true;
        }
        let Some(first) = comps.next() else {
            return false;
        };
        if self
            .exact
            .get(first)
            .is_some_and(|n| n.matches(comps.clone()))
        {
            return true;
        }
        self.globs
            .iter()
            .any(|(g, n)| fnmatch(g, first, false) && n.matches(comps.clone()))
    }
}

/// `pmatch` against patterns that are only known at run time.
pub(crate) fn path_prefix(pattern: &[u8], path: &[u8]) -> bool {
    let mut v = components(path);
    for p in components(pattern) {
        match v.next() {
            Some(c) if fnmatch(p, c, false) => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        fnmatch(p.as_bytes(), t.as_bytes(), false)
    }

    #[test]
    fn fnmatch_basics() {
        assert!(m("*", ""));
        assert!(m("*", "/a/b"));
        assert!(m("/etc/*", "/etc/shadow"));
        assert!(m("/etc/*", "/etc/ssh/sshd_config"), "* crosses /");
        assert!(m("*.txt", ".hidden.txt"), "no FNM_PERIOD");
        assert!(!m("/etc/*", "/etcx"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abbbc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("**a", "bba"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
    }

    #[test]
    fn fnmatch_brackets_and_escapes() {
        assert!(m("[abc]x", "bx"));
        assert!(!m("[abc]x", "dx"));
        assert!(m("[!abc]x", "dx"));
        assert!(m("[^abc]x", "dx"));
        assert!(!m("[!abc]x", "ax"));
        assert!(m("[a-c]", "b"));
        assert!(!m("[a-c]", "d"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("[a-]", "-"));
        assert!(m("[[:digit:]]x", "7x"));
        assert!(!m("[[:digit:]]x", "ax"));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("[", "["), "unterminated bracket is literal");
        assert!(m("a[", "a["));
        assert!(m("[\\]]", "]"));
        assert!(!m("[a]", ""));
        assert!(m("\\", "\\"), "trailing backslash is literal");
    }

    #[test]
    fn fnmatch_casefold() {
        assert!(fnmatch(b"/ETC/*", b"/etc/Passwd", true));
        assert!(fnmatch(b"[A-C]x", b"bX", true));
        assert!(!fnmatch(b"/ETC/*", b"/etc/passwd", false));
    }

    #[test]
    fn pmatch_by_components() {
        let mut s = PathSet::default();
        s.insert(b"/var/run");
        s.insert(b"/var/lib");
        s.insert(b"/home/*/.ssh");
        assert!(s.matches(b"/var/run"));
        assert!(s.matches(b"/var/run/docker.sock"));
        assert!(!s.matches(b"/var/runx"));
        assert!(!s.matches(b"/var"));
        assert!(s.matches(b"/home/alice/.ssh/id_rsa"));
        assert!(!s.matches(b"/home/alice/.bashrc"));
        assert!(path_prefix(b"/home/*", b"/home/bob/x"));
        assert!(!path_prefix(b"/var/lib", b"/var"));
    }
}
