//! cargo-fuzz target `to_device_content`: see `msc4268_fuzz_logic::targets::to_device` for the input format and
//! the invariants. A finding is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = msc4268_fuzz_logic::targets::to_device::run(data) {
        panic!("{finding}");
    }
});
