//! cargo-fuzz target `olm_envelope`: see `msc4268_fuzz_logic::targets::olm` for the input format and
//! the invariants. A finding is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = msc4268_fuzz_logic::targets::olm::run(data) {
        panic!("{finding}");
    }
});
