//! `import-decision/media.json`: downloading the bundle file, its hash and its decryption (R38, R39).

use super::*;

pub(super) fn media() -> GeneratedFile {
    let mut f = file(
        CAT,
        "media",
        "The download: missing media is given up on, and tampered bytes are refused before use (R38, R39).",
        module_path!(),
    );
    let mut g = new_group(
        "download",
        "What the media repository serves.",
        IdentifierVariant::Stable,
    );
    let mut a = Add { g: &mut g };
    let k = key("media", 0);
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::NotFound;
    a.case(
        spec(
            "media-deleted",
            &["R39"],
            "The media was deleted or expired (404 M_NOT_FOUND): give up, import nothing, stay healthy.",
            &[BugClass::EdgeCase],
        ),
        Verdict::Invalid,
        &s,
        not_imported("failed", "R39"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::Tampered(|c| {
        if let Some(b) = c.first_mut() {
            *b ^= 0x01;
        }
    });
    a.case(
        spec(
            "one-bit-flipped",
            &["R38"],
            "One flipped ciphertext bit (which AES-CTR would turn into one flipped plaintext bit): the hash check refuses it.",
            &[BugClass::Malleability, BugClass::KeyPlanting],
        ),
        Verdict::Invalid,
        &s,
        not_imported("rejected", "R38"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::Tampered(|c| {
        c.truncate(c.len() / 2);
    });
    a.case(
        spec(
            "truncated-download",
            &["R38"],
            "Half the file: refused on the hash, not parsed.",
            &[BugClass::Malleability],
        ),
        Verdict::Invalid,
        &s,
        not_imported("rejected", "R38"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::Tampered(|c| c.extend_from_slice(b"]}"));
    a.case(
        spec(
            "extended-download",
            &["R38"],
            "Bytes appended to the file: refused on the hash.",
            &[BugClass::Malleability],
        ),
        Verdict::Invalid,
        &s,
        not_imported("rejected", "R38"),
    );
    let mut s = baseline(bundle(&[&k], &[]));
    s.media = Media::RawPlaintext(b"<html>quota exceeded</html>".to_vec());
    a.case(
        spec(
            "file-is-not-a-bundle",
            &["B1"],
            "The file decrypts and its hash matches, but the plaintext is not a bundle: refused whole, nothing imported.",
            &[BugClass::SchemaViolation],
        ),
        Verdict::Invalid,
        &s,
        not_imported("rejected", "B1"),
    );
    f.file.groups.push(g.finish());
    f
}
