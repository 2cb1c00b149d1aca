//! `shared-history-flag/precedence.json`: several spellings at once; the first present one in the
//! order stable, unstable, interop decides.

use super::*;

/// Several spellings at once: the first present one in the order stable, unstable, interop
/// decides, by presence and not by validity.
pub(super) fn precedence_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "precedence",
        "Several spellings of the flag member in one structure: the stable spelling wins, then the unstable one, then the interop one.",
        module_path!(),
    );

    let mut g = GroupBuilder::new(
        CAT,
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
            (Verdict::Invalid, vec![BugClass::SchemaViolation])
        };
        g.push(
            spec(name, &[rule, "R3"], comment, &flags),
            result,
            json!({"structure": kind, "content": Value::Object(c)}),
            outcome(shareable, Some(IdentifierVariant::Stable)),
        );
    }
    f.file.groups.push(g.finish());

    let mut g = GroupBuilder::new(
        CAT,
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
        let mut flags = vec![BugClass::Interop];
        let result = if first_value.is_boolean() {
            Verdict::Valid
        } else {
            flags.push(BugClass::SchemaViolation);
            Verdict::Invalid
        };
        g.push(
            spec(name, &[rule, "R3"], comment, &flags),
            result,
            json!({"structure": kind, "content": Value::Object(c)}),
            outcome(shareable, Some(variant)),
        );
    }
    f.file.groups.push(g.finish());
    f
}
