//! `file-decryption/declared-limit.json`: a file one byte larger than the largest download the
//! implementation declares (`limits.max_download_bytes` in its start reply), made by the harness
//! at run time (A13). Issue 15 item 5: before it, no fixture could check a size limit through the
//! protocol.

use super::*;

pub(super) fn declared_limit() -> GeneratedFile {
    let mut g = GroupBuilder::new(
        CATEGORY,
        "declared-limit",
        "A13: a file larger than the implementation's own declared download limit is refused. The harness makes the file when it runs the case: `max_download_bytes + bytes_over_declared_limit` bytes of ciphertext under a fixed key and IV, with its correct SHA-256, so that only the size can refuse it. An implementation that declares no limit has the case skipped.",
        STABLE,
    );
    let v = Vector::new(
        "declared-limit/16-kib",
        &plaintext("declared-limit/16-kib", 16 * 1024),
    );
    g.valid(
        spec(
            "well-under-any-limit",
            &["A13"],
            "A 16 KiB bundle file, well under any limit a client could sensibly declare (a 100-session bundle is about 24 KiB): decrypted. A limit must not refuse ordinary bundles; this case is given to every implementation, whether it declares a limit or not.",
            &[BugClass::EdgeCase],
        ),
        v.input(v.file()),
        decrypted(&v.plaintext),
    );
    g.push(
        spec(
            "one-byte-over",
            &["A13"],
            "One byte over the declared limit: refused, not decrypted (the reference names R39, the graceful failure of a download, as its rule). An implementation whose declared limit is not enforced, or enforced one byte late, decrypts it; one that reads the whole download before checking its size still passes here (the bytes are in the input), which the decryptor fuzz target checks for the reference.",
            &[BugClass::DenialOfService, BugClass::EdgeCase],
        ),
        msc4268_corpus::fixture::Verdict::Invalid,
        json!({"bytes_over_declared_limit": 1}),
        rejected("R39", ""),
    );
    new_file(
        CATEGORY,
        module_path!(),
        "declared-limit",
        "A file one byte over the implementation's declared download limit, made at run time (A13).",
        vec![g],
    )
}
