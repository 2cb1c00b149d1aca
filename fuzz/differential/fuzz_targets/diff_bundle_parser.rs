//! cargo-fuzz target `diff_bundle_parser`: see `msc4268_fuzz_differential::bundle` for the input format, the
//! comparison and the known differences. A new disagreement is a panic, so a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    msc4268_fuzz_differential::bundle::run(data);
});
