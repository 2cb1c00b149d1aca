//! cargo-fuzz target `decryptor`: see `msc4268_fuzz_logic::targets::decrypt` for the input format and
//! the invariants. A finding is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = msc4268_fuzz_logic::targets::decrypt::run(data) {
        panic!("{finding}");
    }
});
