//! `shared-history-flag/json-text.json`: the flag member written twice, `true` and `false`, in a
//! structure given as literal JSON text (`content_text`; decision S20). Only implementations that
//! declare the `json-text` capability run these.

use super::*;
use crate::json_text::with_last_member;

pub(super) fn json_text_file() -> GeneratedFile {
    let mut f = file(
        CAT,
        "json-text",
        "The stable `shared_history` member written twice with different booleans, in a structure given as literal JSON text (R3, R4, R5, S20).",
        module_path!(),
    );
    let mut g = GroupBuilder::new(
        CAT,
        "duplicate-members",
        "`shared_history` written twice, `true` and `false`. RFC 8259 §4 leaves duplicate names unpredictable and no Matrix text says which value counts: either reading is acceptable, and so is not making a session of the structure at all (not shareable). The cases record which reading an implementation takes; they fail only an implementation that errors on the text.",
        IdentifierVariant::Stable,
    );
    let cases: [(&str, FlagStructure, &str, bool); 2] = [
        (
            "room-key-true-then-false",
            FlagStructure::RoomKey,
            "R4",
            true,
        ),
        (
            "exported-session-data-false-then-true",
            FlagStructure::ExportedSessionData,
            "R5",
            false,
        ),
    ];
    for (name, kind, rule, first) in cases {
        let mut c = content(kind, &format!("json-text/{name}"));
        c.insert(SHARED_HISTORY.into(), json!(first));
        let text = with_last_member(
            &Value::Object(c).to_string(),
            SHARED_HISTORY,
            &json!(!first),
        );
        let comment = format!(
            "The structure carries `\"shared_history\": {first}` and then `\"shared_history\": {}`. The reference keeps the last value (serde_json), so the session is {}shareable; keeping the first value, or refusing the structure (no session, nothing to share), is as safe: only the creator of the session wrote either value.",
            !first,
            if first { "not " } else { "" }
        );
        let stable = IdentifierVariant::Stable;
        let also = vec![outcome(first, Some(stable)), outcome(false, None)];
        g.acceptable(
            spec(name, &[rule, "R3"], &comment, &[BugClass::SpecAmbiguity]),
            json!({"structure": kind, "content_text": text}),
            outcome(!first, Some(stable)),
            also,
        );
    }
    f.file.groups.push(g.finish());
    f
}
