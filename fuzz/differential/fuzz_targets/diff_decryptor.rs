//! cargo-fuzz target `diff_decryptor`: see `msc4268_fuzz_differential::decrypt` for the input format, the
//! comparison and the known differences. A new disagreement is a panic, so a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    msc4268_fuzz_differential::decrypt::run(data);
});
