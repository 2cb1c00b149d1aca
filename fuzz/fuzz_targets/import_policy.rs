//! cargo-fuzz target `import_policy`: see `msc4268_fuzz_logic::targets::import` for the input format and
//! the invariants. A finding is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = msc4268_fuzz_logic::targets::import::run(data) {
        panic!("{finding}");
    }
});
