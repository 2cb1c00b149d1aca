//! `diff_bundle_parser`: the reference bundle parser ([`msc4268_model::wire::bundle`]) against
//! matrix-sdk-crypto's `RoomKeyBundle` deserializer and what `receive_room_key_bundle` would use
//! of each entry (as the adapter reads it).
//!
//! Input: raw bundle plaintext bytes (the `bundle_parser` layout).
//!
//! Compared: whether the whole bundle is refused; otherwise, per entry (by JSON pointer), whether
//! it is used and as what (room, session ID, first known index; withheld room, session, code and
//! code spelling). When the crate refuses a bundle the reference reads, each entry is tried on
//! its own in a bundle of one, to find the entry the crate refuses: a refusal caused by an entry
//! the reference skips is S1; one caused by an entry the reference uses must be explained by the
//! entry's own known difference.

use std::collections::{BTreeMap, BTreeSet};

use msc4268_protocol::cases::{BundleParseOutcome, BundleParsingInput};
use msc4268_protocol::implementation::{Implementation, OpResult};
use serde_json::{Value, json};

use crate::known::{self, KnownDifference, known};
use crate::sides::{REFERENCE, matrix_sdk_crypto};
use crate::{Disagreement, Verdict};

/// Target name.
pub const NAME: &str = "diff_bundle_parser";

/// Runs the comparison on `data`; panics on a new disagreement.
pub fn run(data: &[u8]) {
    compare(data).assert_not_new();
}

/// What a side did with one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryUse {
    /// Used, as this (room, session, index or code).
    Used(String),
    /// Dropped on its own.
    Skipped,
}

/// A side's normalised outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Normal {
    /// The whole bundle was refused.
    Refused,
    /// Read; what happened to each entry, by JSON pointer.
    Read(BTreeMap<String, EntryUse>),
    /// The side failed (adapter error or a panic it caught).
    Errored(String),
}

fn normalise(r: OpResult<BundleParseOutcome>) -> Normal {
    match r {
        Ok(BundleParseOutcome::Rejected(_)) => Normal::Refused,
        Ok(BundleParseOutcome::Parsed {
            room_keys,
            withheld,
            skipped,
        }) => {
            let mut m = BTreeMap::new();
            for k in room_keys {
                m.insert(
                    k.source,
                    EntryUse::Used(format!(
                        "key {} {} index {}",
                        k.room_id, k.session_id, k.first_known_index
                    )),
                );
            }
            for w in withheld {
                m.insert(
                    w.source,
                    EntryUse::Used(format!(
                        "withheld {:?} {:?} {} ({:?})",
                        w.room_id, w.session_id, w.code, w.code_variant
                    )),
                );
            }
            for s in skipped {
                m.insert(s.source, EntryUse::Skipped);
            }
            Normal::Read(m)
        }
        Err(e) => Normal::Errored(e.to_string()),
    }
}

fn parse_both(bytes: &[u8]) -> (Normal, Normal) {
    let input = BundleParsingInput {
        plaintext: None,
        plaintext_text: None,
        plaintext_base64: Some(msc4268_model::b64::encode_padded(bytes)),
    };
    (
        normalise(REFERENCE.parse_bundle(&input)),
        normalise(matrix_sdk_crypto().parse_bundle(&input)),
    )
}

fn crate_only(bytes: &[u8]) -> Normal {
    let input = BundleParsingInput {
        plaintext: None,
        plaintext_text: None,
        plaintext_base64: Some(msc4268_model::b64::encode_padded(bytes)),
    };
    normalise(matrix_sdk_crypto().parse_bundle(&input))
}

fn describe(n: &Normal) -> String {
    match n {
        Normal::Refused => "refused the bundle".into(),
        Normal::Errored(e) => format!("errored: {e}"),
        Normal::Read(m) => format!("read it: {m:?}"),
    }
}

/// Compares the two bundle parsers on `data`.
pub fn compare(data: &[u8]) -> Verdict {
    if known::ed25519_panic_hazard_bytes(data) {
        return known("F5").map_or_else(
            || Verdict::NotCompared("F5 hazard".into()),
            |k| Verdict::Known(vec![k]),
        );
    }
    let (reference, krate) = parse_both(data);
    if reference == krate {
        return Verdict::Agree;
    }
    let new = |at: String, r: String, c: String| {
        Verdict::New(Disagreement {
            target: NAME,
            at,
            reference: r,
            matrix_sdk_crypto: c,
        })
    };
    let whole = || {
        new(
            "the whole bundle".into(),
            describe(&reference),
            describe(&krate),
        )
    };
    match (&reference, &krate) {
        (Normal::Read(r), Normal::Refused) => {
            // The reference read it, so it is JSON (an object).
            let Ok(value) = serde_json::from_slice::<Value>(data) else {
                return whole();
            };
            match explain_refusal(data, &value, r) {
                Ok(known) => Verdict::Known(known),
                Err((at, why)) => new(
                    at,
                    describe(&reference),
                    format!("refused the bundle: {why}"),
                ),
            }
        }
        // Bytes that are not UTF-8 where the crate never decodes them (an ignored member's
        // string): the reference refuses the text, serde_json skips the string unchecked.
        (Normal::Refused, Normal::Read(_)) if std::str::from_utf8(data).is_err() => {
            known("S20-not-utf8").map_or_else(whole, |k| Verdict::Known(vec![k]))
        }
        // F22: serde's derived `Deserialize` reads a struct from an array of its fields.
        (Normal::Refused, Normal::Read(_))
            if serde_json::from_slice::<Value>(data).is_ok_and(|v| v.is_array()) =>
        {
            known("F22").map_or_else(whole, |k| Verdict::Known(vec![k]))
        }
        (Normal::Read(r), Normal::Read(c)) => {
            let Ok(value) = serde_json::from_slice::<Value>(data) else {
                return whole();
            };
            compare_entries(&value, known::has_duplicate_members(data), r, c)
        }
        _ => whole(),
    }
}

/// Compares entry by entry; every difference must be explained.
pub(crate) fn compare_entries(
    bundle: &Value,
    duplicates: bool,
    r: &BTreeMap<String, EntryUse>,
    c: &BTreeMap<String, EntryUse>,
) -> Verdict {
    let sources: BTreeSet<&String> = r.keys().chain(c.keys()).collect();
    let mut found = Vec::new();
    for source in sources {
        let (ru, cu) = (r.get(source), c.get(source));
        if ru == cu {
            continue;
        }
        let entry = bundle.pointer(source).unwrap_or(&Value::Null);
        let explained = explain_entry(source, entry, ru, cu)
            .or_else(|| duplicates.then(|| known("F19")).flatten());
        match explained {
            Some(k) => {
                if !found.contains(&k) {
                    found.push(k);
                }
            }
            None => {
                return Verdict::New(Disagreement {
                    target: NAME,
                    at: format!("{source} = {entry}"),
                    reference: format!("{ru:?}"),
                    matrix_sdk_crypto: format!("{cu:?}"),
                });
            }
        }
    }
    if found.is_empty() {
        Verdict::Agree
    } else {
        Verdict::Known(found)
    }
}

/// The known difference explaining why one entry is used differently.
pub(crate) fn explain_entry(
    source: &str,
    entry: &Value,
    reference: Option<&EntryUse>,
    krate: Option<&EntryUse>,
) -> Option<&'static KnownDifference> {
    let is_key = source.starts_with("/room_keys/");
    let crate_uses = matches!(krate, Some(EntryUse::Used(_)));
    let reference_uses = matches!(reference, Some(EntryUse::Used(_)));
    if is_key {
        if crate_uses && !reference_uses {
            if known::lacks_claimed_ed25519(entry) {
                return known("F4");
            }
            if known::extended_session_key(entry) {
                return known("F6");
            }
            if known::session_id_mismatch(entry) {
                return known("F7");
            }
        }
        if known::has_non_canonical_b64(entry) {
            return known("S3");
        }
        None
    } else {
        if reference_uses && !crate_uses {
            if known::no_olm(entry) {
                return known("S13-no-olm");
            }
            if known::unknown_code(entry) {
                return known("S13-unknown-code");
            }
            if known::other_algorithm(entry) {
                return known("R16-other-algorithm");
            }
        }
        if known::has_non_canonical_b64(entry) {
            return known("S3");
        }
        None
    }
}

/// Explains why the crate refused a bundle the reference read, or says where it cannot.
fn explain_refusal(
    data: &[u8],
    value: &Value,
    reference: &BTreeMap<String, EntryUse>,
) -> Result<Vec<&'static KnownDifference>, (String, String)> {
    let mut found = Vec::new();
    let mut push = |k: Option<&'static KnownDifference>| {
        if let Some(k) = k
            && !found.contains(&k)
        {
            found.push(k);
        }
    };
    let Some(top) = value.as_object() else {
        return Err(("the whole bundle".into(), "not an object".into()));
    };
    let arrays_present = ["room_keys", "withheld"]
        .iter()
        .all(|a| top.get(*a).is_some_and(Value::is_array));
    if !arrays_present {
        push(known("D3"));
    }
    if known::has_duplicate_members(data) {
        push(known("F19"));
    }
    // Which entries does the crate refuse in a bundle of their own?
    for (array, other) in [("room_keys", "withheld"), ("withheld", "room_keys")] {
        let Some(items) = top.get(array).and_then(Value::as_array) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let single = json!({ array: [item], other: [] });
            let bytes = serde_json::to_vec(&single).unwrap_or_default();
            if crate_only(&bytes) != Normal::Refused {
                continue;
            }
            let source = format!("/{array}/{i}");
            match reference.get(&source) {
                Some(EntryUse::Skipped) => push(known("S1")),
                r => match explain_entry(&source, item, r, None) {
                    Some(k) => push(Some(k)),
                    None => {
                        return Err((
                            format!("{source} = {item}"),
                            format!(
                                "refuses a bundle holding only this entry, which the reference uses ({r:?})"
                            ),
                        ));
                    }
                },
            }
        }
    }
    if found.is_empty() {
        // No entry alone and no missing array explains it: something about the bundle as a
        // whole (its text, member order, duplicates …).
        let canonical = serde_json::to_vec(value).unwrap_or_default();
        let again = crate_only(&canonical);
        return Err((
            "the whole bundle".into(),
            format!(
                "no single entry explains it; the same JSON re-serialised is {} by the crate",
                if again == Normal::Refused {
                    "still refused"
                } else {
                    "read"
                }
            ),
        ));
    }
    Ok(found)
}
