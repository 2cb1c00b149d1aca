//! `shared-history-flag/<structure>.json`: reading the flag of one structure, in every spelling
//! and with every value.

use super::*;

pub(super) fn structure_file(s: &Structure) -> GeneratedFile {
    let mut f = file(
        CAT,
        s.slug,
        &format!(
            "Reading the shared_history flag of {}: every spelling of the member (one group each) and every value.",
            s.name
        ),
        module_path!(),
    );
    for variant in [
        IdentifierVariant::Stable,
        IdentifierVariant::Unstable,
        IdentifierVariant::Interop,
    ] {
        f.file.groups.push(structure_group(s, variant).finish());
    }
    f
}

fn structure_group(s: &Structure, variant: IdentifierVariant) -> GroupBuilder {
    let (member, vslug) = spelling(variant);
    let mut g = GroupBuilder::new(
        CAT,
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
        g.push(
            spec("missing", rules, &comment, &[]),
            Verdict::Valid,
            json!({"content": Value::Object(content(s.kind, &label))}),
            outcome(false, None),
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
            Vec<BugClass>,
            Verdict,
            Value,
            Vec<Value>,
            String,
        ) = if forwarded {
            let mut flags = Vec::new();
            if is_true {
                flags.push(BugClass::KeyPlanting);
            } else if !is_bool {
                flags.push(BugClass::SchemaViolation);
            }
            if interop {
                flags.push(BugClass::Interop);
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
            let mut flags = vec![BugClass::Interop];
            if !is_bool {
                flags.push(BugClass::SchemaViolation);
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
                vec![BugClass::SchemaViolation],
                Verdict::Invalid,
                outcome(false, Some(variant)),
                vec![],
                comment,
            )
        };
        g.push(
            spec(fv.slug, &rules, &comment, &flags),
            result,
            json!({"content": Value::Object(c)}),
            expected,
        )
        .also_acceptable = also;
    }
    g
}
