//! cargo-fuzz target `round_trip`: see `msc4268_fuzz_logic::targets::round_trip` for the input format and
//! the invariants. A finding is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = msc4268_fuzz_logic::targets::round_trip::run(data) {
        panic!("{finding}");
    }
});
