//! One module per fuzz target. Each has a `NAME` (the cargo-fuzz target and corpus directory) and
//! a `run(&[u8]) -> Result<(), Finding>` that checks its invariants.

pub mod bundle;
pub mod decrypt;
pub mod import;
pub mod olm;
pub mod round_trip;
pub mod scenario;
pub mod to_device;

/// Splits `data` at its first `0x00` byte: the part before and the part after (`None` if there is
/// no separator). JSON text never contains a raw `0x00`, so a JSON document and raw bytes can share
/// one fuzz input this way.
pub fn split_nul(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}
