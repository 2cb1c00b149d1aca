//! cargo-fuzz target `bundle_parser`: see `msc4268_fuzz_logic::targets::bundle` for the input format and
//! the invariants. A finding is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = msc4268_fuzz_logic::targets::bundle::run(data) {
        panic!("{finding}");
    }
});
