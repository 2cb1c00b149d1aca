//! cargo-fuzz target `diff_import`: see `msc4268_fuzz_differential::import` for the input format, the
//! comparison and the known differences. A new disagreement is a panic, so a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    msc4268_fuzz_differential::import::run(data);
});
