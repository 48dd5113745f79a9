//! Arbitrary bytes as a capture file (plain or gzip): open it, read every
//! event, decode every parameter. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scap::file::{Reader, ReaderOptions};

fuzz_target!(|data: &[u8]| {
    for convert in [true, false] {
        let Ok(mut r) = Reader::with_options(data, ReaderOptions { convert }) else {
            continue;
        };
        let _ = r.metadata().threads.len();
        // Recoverable errors let reading go on; the bound keeps a bug that
        // repeats one error forever from looking like a hang.
        for _ in 0..1_000_000 {
            match r.next_event() {
                Ok(Some(e)) => {
                    let ev = e.event;
                    let _ = (ev.ts(), ev.tid(), ev.name(), format!("{ev:?}"));
                    for p in ev.params() {
                        let _ = p.value();
                    }
                }
                Ok(None) => break,
                Err(_) => {}
            }
        }
        let _ = r.counters();
    }
});
