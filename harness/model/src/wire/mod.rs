//! The strict wire model: every JSON structure MSC4268 puts on the wire.

pub mod bundle;
pub mod encrypted_file;
pub mod olm;
pub mod to_device;
