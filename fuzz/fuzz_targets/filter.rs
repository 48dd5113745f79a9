//! Arbitrary text as a condition and as an output format: parsing and
//! compiling must never panic or hang (nesting is limited), and what
//! parses must print as text that parses back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinsp::filter::{parse, Definitions, Filter};
use sinsp::format::Formatter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ast) = parse(text) {
        let printed = ast.to_string();
        let back = parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
        assert_eq!(back.without_spans(), ast.without_spans(), "{printed:?}");
    }
    if let Err(e) = Filter::compile(text) {
        let _ = e.to_string();
    }
    // The same text as a macro body and a list item, used from a condition.
    let mut defs = Definitions::new();
    defs.add_macro("m", text).add_list("l", [text]);
    let _ = Filter::compile_with("m or proc.name in (l)", &defs);
    if let Err(e) = Formatter::new(text) {
        let _ = e.to_string();
    }
});
