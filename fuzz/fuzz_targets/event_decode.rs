//! Arbitrary bytes as one event: validate it, then decode every parameter
//! (by index, by iteration and through Debug). Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scap::Event;

fuzz_target!(|data: &[u8]| {
    let Ok(ev) = Event::parse(data) else {
        return;
    };
    let _ = (ev.ts(), ev.tid(), ev.len(), ev.event_type(), ev.name(), ev.info());
    for i in 0..ev.nparams() as usize + 1 {
        if let Ok(p) = ev.param(i) {
            if let Ok(v) = p.value() {
                let _ = format!("{v} {v:?}");
                let _ = (v.as_i64(), v.as_u64(), v.as_bytes(), v.as_str());
            }
        }
        let _ = ev.param_bytes(i);
    }
    for p in ev.params() {
        let _ = p.value();
    }
    let _ = format!("{ev:?}");
});
