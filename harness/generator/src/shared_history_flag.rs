//! Generator for `shared-history-flag`: reading the `shared_history` flag from each structure that
//! carries it (R3, R4, R5; digest §1.2, §2.6, §2.7, D1).
//!
//! Every structure × every spelling of the flag member × every value. Each (structure, spelling)
//! pair is its own group, so an implementation that does not read a spelling skips exactly those
//! cases. The contents are realistic: real Megolm keys (sharing format in `m.room_key`, export
//! format elsewhere) and real creator keys, so an implementation that parses the whole structure
//! before reading the flag can do so.
//!
//! Expectations, by construction:
//! * `m.room_key`, `BackedUpSessionData`, `ExportedSessionData`: shareable iff the member is the
//!   boolean `true`; a missing member, `false`, `"true"`, `1`, `null`, `{}` all mean not
//!   shareable (R3 "in all cases"). The outcome names the spelling of the member that was read.
//! * The interop spelling `m.shared_history` (matrix-rust-sdk, ruma) is defined by no spec text:
//!   the reference reads it, but not reading it is also acceptable (`interop`).
//! * `m.forwarded_room_key` is never a route to shareability (digest §1.2 "Not a route"), whatever
//!   flag it carries; no flag member decides, so no variant is reported. R5 covers only backup and
//!   export, so these cases use R3 (a flag that is not a valid `shared_history` counts as false).

use serde_json::{Map, Value, json};

use super::bundle_building::sharing_format_key;
use super::{GeneratedFile, case, file, group};
use msc4268_corpus::fixture::{Flag, GroupDef, Verdict};
use msc4268_model::material;
use msc4268_protocol::cases::{Category, FlagStructure};
use msc4268_protocol::identifiers::{
    IdentifierVariant, MEGOLM_V1, SHARED_HISTORY, SHARED_HISTORY_INTEROP, SHARED_HISTORY_UNSTABLE,
};

const CAT: Category = Category::SharedHistoryFlag;
const ROOM: &str = "!flags:hs1.test";
const CREATOR_USER: &str = "@carol:hs1.test";
const CREATOR_DEVICE: &str = "CAROLDEV";
const FORWARDER_USER: &str = "@dave:hs2.test";
const FORWARDER_DEVICE: &str = "DAVEDEV";

/// Every fixture file of this category.
pub fn files() -> Vec<GeneratedFile> {
    let mut out: Vec<GeneratedFile> = STRUCTURES.iter().map(structure_file).collect();
    out.push(precedence_file());
    out
}

/// One structure that carries the flag.
struct Structure {
    kind: FlagStructure,
    /// Group id prefix and file name.
    slug: &'static str,
    /// The wire name, for comments.
    name: &'static str,
    /// The rule that says how this structure's flag is used.
    rule: &'static str,
}

const STRUCTURES: [Structure; 4] = [
    Structure {
        kind: FlagStructure::RoomKey,
        slug: "room-key",
        name: "m.room_key",
        rule: "R4",
    },
    Structure {
        kind: FlagStructure::BackedUpSessionData,
        slug: "backed-up-session-data",
        name: "BackedUpSessionData",
        rule: "R5",
    },
    Structure {
        kind: FlagStructure::ExportedSessionData,
        slug: "exported-session-data",
        name: "ExportedSessionData",
        rule: "R5",
    },
    Structure {
        kind: FlagStructure::ForwardedRoomKey,
        slug: "forwarded-room-key",
        name: "m.forwarded_room_key",
        rule: "R3",
    },
];

/// A value of the flag member.
struct FlagValue {
    /// Case name part.
    slug: &'static str,
    /// The JSON value.
    value: Value,
    /// How it reads in a comment.
    describe: &'static str,
}

fn values(stable: bool) -> Vec<FlagValue> {
    let mut v = vec![
        FlagValue {
            slug: "true",
            value: json!(true),
            describe: "the boolean true",
        },
        FlagValue {
            slug: "false",
            value: json!(false),
            describe: "the boolean false",
        },
        FlagValue {
            slug: "string-true",
            value: json!("true"),
            describe: "the string \"true\" (not a boolean)",
        },
        FlagValue {
            slug: "number-1",
            value: json!(1),
            describe: "the number 1 (not a boolean)",
        },
        FlagValue {
            slug: "null",
            value: Value::Null,
            describe: "null (not a boolean)",
        },
    ];
    if stable {
        v.push(FlagValue {
            slug: "empty-object",
            value: json!({}),
            describe: "an empty object (not a boolean)",
        });
    }
    v
}

fn spelling(variant: IdentifierVariant) -> (&'static str, &'static str) {
    match variant {
        IdentifierVariant::Stable => (SHARED_HISTORY, "stable"),
        IdentifierVariant::Unstable => (SHARED_HISTORY_UNSTABLE, "unstable"),
        IdentifierVariant::Interop => (SHARED_HISTORY_INTEROP, "interop"),
    }
}

/// The structure's JSON without any flag member, with real key material for `label`.
fn content(kind: FlagStructure, label: &str) -> Map<String, Value> {
    let session = material::megolm_session(&format!("shared-history-flag/{label}"), 0);
    let creator = material::Device::new(CREATOR_USER, CREATOR_DEVICE);
    let forwarder = material::Device::new(FORWARDER_USER, FORWARDER_DEVICE);
    let v = match kind {
        FlagStructure::RoomKey => json!({
            "algorithm": MEGOLM_V1,
            "room_id": ROOM,
            "session_id": session.session_id(),
            "session_key": sharing_format_key(&format!("shared-history-flag/{label}"), 0),
        }),
        FlagStructure::BackedUpSessionData => json!({
            "algorithm": MEGOLM_V1,
            "forwarding_curve25519_key_chain": [],
            "sender_claimed_keys": {"ed25519": creator.ed25519()},
            "sender_key": creator.curve25519(),
            "session_key": session.to_base64(),
        }),
        FlagStructure::ExportedSessionData => json!({
            "algorithm": MEGOLM_V1,
            "forwarding_curve25519_key_chain": [],
            "room_id": ROOM,
            "sender_claimed_keys": {"ed25519": creator.ed25519()},
            "sender_key": creator.curve25519(),
            "session_id": session.session_id(),
            "session_key": session.to_base64(),
        }),
        FlagStructure::ForwardedRoomKey => json!({
            "algorithm": MEGOLM_V1,
            "forwarding_curve25519_key_chain": [forwarder.curve25519()],
            "room_id": ROOM,
            "sender_claimed_ed25519_key": creator.ed25519(),
            "sender_key": creator.curve25519(),
            "session_id": session.session_id(),
            "session_key": session.to_base64(),
        }),
    };
    v.as_object().cloned().unwrap_or_default()
}

fn outcome(shareable: bool, variant: Option<IdentifierVariant>) -> Value {
    match variant {
        Some(v) => json!({"shareable": shareable, "variant": v}),
        None => json!({"shareable": shareable}),
    }
}

fn structure_file(s: &Structure) -> GeneratedFile {
    let mut f = file(
        CAT,
        s.slug,
        &format!(
            "Reading the shared_history flag of {}: every spelling of the member (one group each) and every value.",
            s.name
        ),
        "generate::shared_history_flag::structure_file",
    );
    for variant in [
        IdentifierVariant::Stable,
        IdentifierVariant::Unstable,
        IdentifierVariant::Interop,
    ] {
        f.file.groups.push(structure_group(s, variant));
    }
    f
}

fn structure_group(s: &Structure, variant: IdentifierVariant) -> GroupDef {
    let (member, vslug) = spelling(variant);
    let mut g = group(
        &format!("{}-{vslug}", s.slug),
        &format!(
            "{} carrying the flag as `{member}` ({vslug} spelling).",
            s.name
        ),
        variant,
    );
    g.context.insert("structure".into(), json!(s.kind));
    let stable = variant == IdentifierVariant::Stable;
    let forwarded = s.kind == FlagStructure::ForwardedRoomKey;
    let interop = variant == IdentifierVariant::Interop;

    if stable {
        // The member absent: defined by the spec as "not shareable".
        let label = format!("{}/missing", s.slug);
        let rules: &[&str] = if forwarded {
            &["R6", "R3"]
        } else {
            &["R3", s.rule]
        };
        let comment = if forwarded {
            "An m.forwarded_room_key with no flag member: never shareable (digest §1.2 \"Not a route\"); no member is read, so no variant.".to_string()
        } else {
            format!(
                "{} with no flag member in any spelling: a missing shared_history means not shareable (R3); no member was present, so no variant is reported.",
                s.name
            )
        };
        push(
            &mut g,
            "missing",
            rules,
            &comment,
            &[],
            Verdict::Valid,
            Value::Object(content(s.kind, &label)),
            outcome(false, None),
            vec![],
        );
    }

    for fv in values(stable) {
        let label = format!("{}/{vslug}/{}", s.slug, fv.slug);
        let mut c = content(s.kind, &label);
        c.insert(member.into(), fv.value.clone());
        let is_true = fv.value == Value::Bool(true);
        let is_bool = fv.value.is_boolean();

        let (rules, flags, result, expected, also, comment): (
            Vec<&str>,
            Vec<Flag>,
            Verdict,
            Value,
            Vec<Value>,
            String,
        ) = if forwarded {
            let mut flags = Vec::new();
            if is_true {
                flags.push(Flag::KeyPlanting);
            } else if !is_bool {
                flags.push(Flag::SchemaViolation);
            }
            if interop {
                flags.push(Flag::Interop);
            }
            let result = if is_bool && !is_true {
                Verdict::Valid
            } else {
                Verdict::Invalid
            };
            let comment = format!(
                "An m.forwarded_room_key carrying `{member}` = {}. Keys received by m.forwarded_room_key are never shareable (digest §1.2 \"Not a route\"; the spec adds no flag to this event, and matrix-rust-sdk treats forwarded keys as not shareable), so the flag is ignored and no variant is reported. R5 does not cover this structure; R3 (anything but a valid shared_history counts as false) is the closest rule.{}",
                fv.describe,
                if is_true {
                    " Honouring it would let any forwarder make keys re-shareable."
                } else {
                    ""
                }
            );
            (
                vec!["R6", "R3"],
                flags,
                result,
                outcome(false, None),
                vec![],
                comment,
            )
        } else if interop {
            let mut flags = vec![Flag::Interop];
            if !is_bool {
                flags.push(Flag::SchemaViolation);
            }
            let comment = format!(
                "{} with `{member}` = {}. No spec text defines `m.shared_history`; matrix-rust-sdk and ruma write it (digest D1). The reference reads it so that rust-sdk-built keys interoperate ({}), reporting the interop variant; an implementation that reads only spec names sees no flag and reports not shareable, which is also acceptable.",
                s.name,
                fv.describe,
                if is_true {
                    "shareable"
                } else {
                    "not shareable: only the boolean true counts"
                }
            );
            (
                if is_bool {
                    vec![s.rule]
                } else {
                    vec!["R3", s.rule]
                },
                flags,
                Verdict::Acceptable,
                outcome(is_true, Some(variant)),
                vec![outcome(false, None)],
                comment,
            )
        } else if is_bool {
            let comment = format!(
                "{} with `{member}` = {}: {} ({} spelling).",
                s.name,
                fv.describe,
                if is_true {
                    "the session is shareable"
                } else {
                    "the session is not shareable"
                },
                vslug
            );
            (
                vec![s.rule],
                vec![],
                Verdict::Valid,
                outcome(is_true, Some(variant)),
                vec![],
                comment,
            )
        } else {
            // Non-boolean: R3 decides. The stable group names R3 first, the unstable group the
            // structure's own rule first, so each rule has invalid cases of its own.
            let rules = if stable {
                vec!["R3", s.rule]
            } else {
                vec![s.rule, "R3"]
            };
            let comment = format!(
                "{} with `{member}` = {}: a non-boolean shared_history counts as false in every structure (R3), so not shareable; the member was present, so its variant ({vslug}) is reported.",
                s.name, fv.describe
            );
            (
                rules,
                vec![Flag::SchemaViolation],
                Verdict::Invalid,
                outcome(false, Some(variant)),
                vec![],
                comment,
            )
        };
        push(
            &mut g,
            fv.slug,
            &rules,
            &comment,
            &flags,
            result,
            Value::Object(c),
            expected,
            also,
        );
    }
    g
}

#[allow(clippy::too_many_arguments)] // one argument per case field
fn push(
    g: &mut GroupDef,
    name: &str,
    rules: &[&str],
    comment: &str,
    flags: &[Flag],
    result: Verdict,
    content: Value,
    expected: Value,
    also: Vec<Value>,
) {
    let mut c = case(
        format!("{}/{}/{name}", CAT.as_str(), g.id),
        rules,
        comment,
        flags,
        result,
        json!({ "content": content }),
        expected,
    );
    c.also_acceptable = also;
    g.cases.push(c);
}

/// Several spellings at once: the first present one in the order stable, unstable, interop
/// decides, by presence and not by validity.
fn precedence_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "precedence",
        "Several spellings of the flag member in one structure: the stable spelling wins, then the unstable one, then the interop one.",
        "generate::shared_history_flag::precedence_file",
    );

    let mut g = group(
        "precedence-unstable",
        "Stable and unstable spellings together.",
        IdentifierVariant::Unstable,
    );
    let cases: [(&str, FlagStructure, &str, Value, Value, bool, &str); 3] = [
        (
            "stable-false-unstable-true",
            FlagStructure::RoomKey,
            "R4",
            json!(false),
            json!(true),
            false,
            "The stable member is the spec's; the unstable one is only a fallback for pre-stable senders. The stable false decides: not shareable.",
        ),
        (
            "stable-true-unstable-false",
            FlagStructure::ExportedSessionData,
            "R5",
            json!(true),
            json!(false),
            true,
            "The stable member decides: true, so shareable, whatever the unstable fallback says.",
        ),
        (
            "stable-string-unstable-true",
            FlagStructure::BackedUpSessionData,
            "R3",
            json!("true"),
            json!(true),
            false,
            "The stable member is present but not a boolean: it still decides (presence, not validity, picks the member), and a non-boolean counts as false (R3). A valid-looking unstable fallback must not rescue it.",
        ),
    ];
    for (name, kind, rule, stable, unstable, shareable, comment) in cases {
        let mut c = content(kind, &format!("precedence/{name}"));
        c.insert(SHARED_HISTORY.into(), stable.clone());
        c.insert(SHARED_HISTORY_UNSTABLE.into(), unstable);
        let (result, flags) = if stable.is_boolean() {
            (Verdict::Valid, vec![])
        } else {
            (Verdict::Invalid, vec![Flag::SchemaViolation])
        };
        g.cases.push(case(
            format!("{}/{}/{name}", CAT.as_str(), g.id),
            &[rule, "R3"],
            comment,
            &flags,
            result,
            json!({"structure": kind, "content": Value::Object(c)}),
            outcome(shareable, Some(IdentifierVariant::Stable)),
        ));
    }
    f.file.groups.push(g);

    let mut g = group(
        "precedence-interop",
        "The interop spelling beside a spec spelling.",
        IdentifierVariant::Interop,
    );
    /// name, structure, rule, (spec member, its value), interop value, shareable, variant, comment.
    type Mixed<'a> = (
        &'a str,
        FlagStructure,
        &'a str,
        (&'a str, Value),
        Value,
        bool,
        IdentifierVariant,
        &'a str,
    );
    let cases: [Mixed; 4] = [
        (
            "stable-false-interop-true",
            FlagStructure::RoomKey,
            "R4",
            (SHARED_HISTORY, json!(false)),
            json!(true),
            false,
            IdentifierVariant::Stable,
            "The spec's member says false; `m.shared_history` is a name no spec defines. The stable member decides: not shareable. (matrix-rust-sdk reads only the interop name and would share: digest D1.)",
        ),
        (
            "stable-true-interop-false",
            FlagStructure::BackedUpSessionData,
            "R5",
            (SHARED_HISTORY, json!(true)),
            json!(false),
            true,
            IdentifierVariant::Stable,
            "The stable member decides: true, so shareable.",
        ),
        (
            "unstable-false-interop-true",
            FlagStructure::ExportedSessionData,
            "R5",
            (SHARED_HISTORY_UNSTABLE, json!(false)),
            json!(true),
            false,
            IdentifierVariant::Unstable,
            "The MSC's unstable member outranks the interop name: false, so not shareable.",
        ),
        (
            "stable-null-interop-true",
            FlagStructure::RoomKey,
            "R3",
            (SHARED_HISTORY, Value::Null),
            json!(true),
            false,
            IdentifierVariant::Stable,
            "The stable member is present but null: it decides, and a non-boolean counts as false (R3). The interop true must not rescue it.",
        ),
    ];
    for (name, kind, rule, (first, first_value), interop, shareable, variant, comment) in cases {
        let mut c = content(kind, &format!("precedence/{name}"));
        c.insert(first.into(), first_value.clone());
        c.insert(SHARED_HISTORY_INTEROP.into(), interop);
        let mut flags = vec![Flag::Interop];
        let result = if first_value.is_boolean() {
            Verdict::Valid
        } else {
            flags.push(Flag::SchemaViolation);
            Verdict::Invalid
        };
        g.cases.push(case(
            format!("{}/{}/{name}", CAT.as_str(), g.id),
            &[rule, "R3"],
            comment,
            &flags,
            result,
            json!({"structure": kind, "content": Value::Object(c)}),
            outcome(shareable, Some(variant)),
        ));
    }
    f.file.groups.push(g);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use msc4268_corpus::fixture::parse_file;
    use msc4268_harness::runner::{Status, run_case};
    use msc4268_model::reference::Reference;
    use std::path::Path;

    #[test]
    fn every_case_passes_under_the_reference() {
        let mut total = 0;
        for g in files() {
            let text = super::super::render(&g.file);
            let cases =
                parse_file(&text, Path::new(&g.path)).unwrap_or_else(|e| panic!("{}: {e}", g.path));
            for c in &cases {
                let report = run_case(&Reference, c);
                assert_eq!(report.status, Status::Passed, "{}", report.explain());
            }
            total += cases.len();
        }
        assert!(total >= 70, "only {total} cases");
    }
}
