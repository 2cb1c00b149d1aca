//! Whether an implementation's outcome matches a case's expected outcome, compared as typed
//! values.
//!
//! What is compared, for every category alike:
//! * Free text (`reason`) and JSON pointers (`path` of a rejection) are never compared: they are
//!   for humans, and implementations name the same place differently.
//! * Rule ids (`rule`) are compared when the implementation reports rule ids at all, that is when
//!   its outcome names a rule anywhere; then every rule id must match, including where one side
//!   names none. An implementation that reports no rule ids (adapters for other SDKs usually do
//!   not know ours) is compared without them.
//! * Every list in an outcome is a set: lists are compared regardless of order.

use msc4268_corpus::fixture::Outcome;
use msc4268_protocol::cases::*;

/// Whether `actual` matches `expected` under the rules of this module.
pub fn outcome_matches(expected: &Outcome, actual: &Outcome) -> bool {
    let rules = if actual.names_rule() {
        RuleIds::Compared
    } else {
        RuleIds::Ignored
    };
    expected.canonical(rules) == actual.canonical(rules)
}

/// Whether rule ids take part in a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleIds {
    /// Rule ids are compared.
    Compared,
    /// Rule ids are left out.
    Ignored,
}

impl RuleIds {
    fn keep(self, rule: &Option<String>) -> Option<String> {
        match self {
            RuleIds::Compared => rule.clone(),
            RuleIds::Ignored => None,
        }
    }
}

/// An outcome reduced to what is compared: no free text, no paths, rule ids only if compared,
/// lists sorted.
trait Canonical {
    /// The compared part of `self`.
    fn canonical(&self, rules: RuleIds) -> Self;
    /// Whether `self` names a rule id anywhere.
    fn names_rule(&self) -> bool;
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

impl Canonical for Rejection {
    fn canonical(&self, rules: RuleIds) -> Self {
        Rejection {
            rule: rules.keep(&self.rule),
            path: None,
            reason: String::new(),
        }
    }
    fn names_rule(&self) -> bool {
        self.rule.is_some()
    }
}

impl Canonical for SkippedEntry {
    fn canonical(&self, rules: RuleIds) -> Self {
        SkippedEntry {
            source: self.source.clone(),
            rule: rules.keep(&self.rule),
            reason: String::new(),
        }
    }
    fn names_rule(&self) -> bool {
        self.rule.is_some()
    }
}

fn canonical_skipped(skipped: &[SkippedEntry], rules: RuleIds) -> Vec<SkippedEntry> {
    sorted(skipped.iter().map(|s| s.canonical(rules)).collect())
}

impl Canonical for BundleParseOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            BundleParseOutcome::Parsed {
                room_keys,
                withheld,
                skipped,
            } => BundleParseOutcome::Parsed {
                room_keys: sorted(room_keys.clone()),
                withheld: sorted(withheld.clone()),
                skipped: canonical_skipped(skipped, rules),
            },
            BundleParseOutcome::Rejected(r) => BundleParseOutcome::Rejected(r.canonical(rules)),
        }
    }
    fn names_rule(&self) -> bool {
        match self {
            BundleParseOutcome::Parsed { skipped, .. } => skipped.iter().any(|s| s.names_rule()),
            BundleParseOutcome::Rejected(r) => r.names_rule(),
        }
    }
}

impl Canonical for DecryptOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            DecryptOutcome::Decrypted { .. } => self.clone(),
            DecryptOutcome::Rejected(r) => DecryptOutcome::Rejected(r.canonical(rules)),
        }
    }
    fn names_rule(&self) -> bool {
        matches!(self, DecryptOutcome::Rejected(r) if r.names_rule())
    }
}

impl Canonical for EncryptionAuditOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            EncryptionAuditOutcome::Conformant => self.clone(),
            EncryptionAuditOutcome::Violation(r) => {
                EncryptionAuditOutcome::Violation(r.canonical(rules))
            }
        }
    }
    fn names_rule(&self) -> bool {
        matches!(self, EncryptionAuditOutcome::Violation(r) if r.names_rule())
    }
}

impl Canonical for ToDeviceOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            ToDeviceOutcome::Accepted { .. } => self.clone(),
            ToDeviceOutcome::Rejected(r) => ToDeviceOutcome::Rejected(r.canonical(rules)),
        }
    }
    fn names_rule(&self) -> bool {
        matches!(self, ToDeviceOutcome::Rejected(r) if r.names_rule())
    }
}

impl Canonical for EnvelopeOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            EnvelopeOutcome::Accepted { .. } => self.clone(),
            EnvelopeOutcome::Rejected(r) => EnvelopeOutcome::Rejected(r.canonical(rules)),
        }
    }
    fn names_rule(&self) -> bool {
        matches!(self, EnvelopeOutcome::Rejected(r) if r.names_rule())
    }
}

impl Canonical for ImportOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        ImportOutcome {
            decision: self.decision,
            rule: rules.keep(&self.rule),
            imported: sorted(self.imported.clone()),
            kept_existing: sorted(self.kept_existing.clone()),
            withheld: sorted(self.withheld.clone()),
            skipped: canonical_skipped(&self.skipped, rules),
        }
    }
    fn names_rule(&self) -> bool {
        self.rule.is_some() || self.skipped.iter().any(|s| s.names_rule())
    }
}

impl Canonical for BuildOutcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            BuildOutcome::Bundle {
                room_keys,
                withheld,
            } => BuildOutcome::Bundle {
                room_keys: sorted(room_keys.clone()),
                withheld: sorted(withheld.clone()),
            },
            BuildOutcome::Nothing | BuildOutcome::Conformant => self.clone(),
            BuildOutcome::Violation(r) => BuildOutcome::Violation(r.canonical(rules)),
        }
    }
    fn names_rule(&self) -> bool {
        matches!(self, BuildOutcome::Violation(r) if r.names_rule())
    }
}

impl Canonical for FlagOutcome {
    fn canonical(&self, _rules: RuleIds) -> Self {
        self.clone()
    }
    fn names_rule(&self) -> bool {
        false
    }
}

impl Canonical for Outcome {
    fn canonical(&self, rules: RuleIds) -> Self {
        match self {
            Outcome::BundleParsing(o) => Outcome::BundleParsing(o.canonical(rules)),
            Outcome::FileDecryption(o) => Outcome::FileDecryption(o.canonical(rules)),
            Outcome::FileEncryption(o) => Outcome::FileEncryption(o.canonical(rules)),
            Outcome::ToDeviceContent(o) => Outcome::ToDeviceContent(o.canonical(rules)),
            Outcome::OlmEnvelope(o) => Outcome::OlmEnvelope(o.canonical(rules)),
            Outcome::ImportDecision(o) => Outcome::ImportDecision(o.canonical(rules)),
            Outcome::BundleBuilding(o) => Outcome::BundleBuilding(o.canonical(rules)),
            Outcome::SharedHistoryFlag(o) => Outcome::SharedHistoryFlag(o.canonical(rules)),
        }
    }
    fn names_rule(&self) -> bool {
        match self {
            Outcome::BundleParsing(o) => o.names_rule(),
            Outcome::FileDecryption(o) => o.names_rule(),
            Outcome::FileEncryption(o) => o.names_rule(),
            Outcome::ToDeviceContent(o) => o.names_rule(),
            Outcome::OlmEnvelope(o) => o.names_rule(),
            Outcome::ImportDecision(o) => o.names_rule(),
            Outcome::BundleBuilding(o) => o.names_rule(),
            Outcome::SharedHistoryFlag(o) => o.names_rule(),
        }
    }
}

/// The one part of a case a failure can be narrowed to: a built bundle whose `room_keys` are
/// right and whose `withheld` part only leaves entries out. R13 asks for the `withheld` entries
/// with a SHOULD ("other sessions SHOULD be listed in the `withheld` section"), while the case's
/// deciding rule may be a MUST about `room_keys` (R12), so such a failure breaks R13 only.
pub const WITHHELD_OMISSION_RULE: &str = "R13";

/// Whether `actual` differs from one of the `expected` outcomes only by leaving out some of its
/// `withheld` entries: both are built bundles, their `room_keys` are the same set, and the actual
/// `withheld` entries are a proper sub-multiset of the expected ones (same room, session and
/// code). Extra or altered `withheld` entries are not an omission: an entry in both lists breaks
/// R14 (a MUST), a malformed one R16.
pub fn only_omits_withheld<'a>(
    expected: impl IntoIterator<Item = &'a Outcome>,
    actual: &Outcome,
) -> bool {
    let Outcome::BundleBuilding(BuildOutcome::Bundle {
        room_keys,
        withheld,
    }) = actual
    else {
        return false;
    };
    let keys = sorted(room_keys.clone());
    let have = sorted(withheld.clone());
    expected.into_iter().any(|e| match e {
        Outcome::BundleBuilding(BuildOutcome::Bundle {
            room_keys: want_keys,
            withheld: want_withheld,
        }) => {
            sorted(want_keys.clone()) == keys
                && have.len() < want_withheld.len()
                && is_sub_multiset(&have, &sorted(want_withheld.clone()))
        }
        _ => false,
    })
}

/// Whether every element of `small` (sorted) occurs in `big` (sorted) at least as often.
fn is_sub_multiset<T: Ord>(small: &[T], big: &[T]) -> bool {
    let mut rest = big.iter();
    small.iter().all(|x| rest.by_ref().any(|y| y == x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(rule: Option<&str>, reason: &str) -> Outcome {
        Outcome::BundleParsing(BundleParseOutcome::Rejected(Rejection {
            rule: rule.map(str::to_owned),
            path: Some("/x".into()),
            reason: reason.into(),
        }))
    }

    fn parsed(keys: &[u32]) -> Outcome {
        Outcome::BundleParsing(BundleParseOutcome::Parsed {
            room_keys: keys
                .iter()
                .map(|i| KeySummary {
                    source: format!("/room_keys/{i}"),
                    room_id: "!r:hs".into(),
                    session_id: "s".into(),
                    first_known_index: *i,
                })
                .collect(),
            withheld: vec![],
            skipped: vec![],
        })
    }

    fn built(keys: &[&str], withheld: &[&str]) -> Outcome {
        Outcome::BundleBuilding(BuildOutcome::Bundle {
            room_keys: keys
                .iter()
                .map(|s| BuiltKey {
                    room_id: "!r:hs".into(),
                    session_id: (*s).into(),
                    first_known_index: 0,
                })
                .collect(),
            withheld: withheld
                .iter()
                .map(|s| BuiltWithheld {
                    room_id: "!r:hs".into(),
                    session_id: (*s).into(),
                    code: "m.history_not_shared".into(),
                })
                .collect(),
        })
    }

    #[test]
    fn leaving_out_withheld_entries_is_an_omission_and_nothing_else_is() {
        let want = built(&["a"], &["b", "c"]);
        assert!(only_omits_withheld([&want], &built(&["a"], &["c"])));
        assert!(only_omits_withheld([&want], &built(&["a"], &[])));
        // The same bundle, another key set, an extra or a repeated entry: not an omission.
        assert!(!only_omits_withheld([&want], &want));
        assert!(!only_omits_withheld([&want], &built(&["a", "b"], &["c"])));
        assert!(!only_omits_withheld([&want], &built(&[], &["b"])));
        assert!(!only_omits_withheld([&want], &built(&["a"], &["d"])));
        assert!(!only_omits_withheld([&want], &built(&["a"], &["b", "b"])));
        assert!(!only_omits_withheld(
            [&want],
            &Outcome::BundleBuilding(BuildOutcome::Nothing)
        ));
        // Any of the accepted outcomes will do.
        let other = built(&["a"], &["b"]);
        assert!(only_omits_withheld([&other, &want], &built(&["a"], &["c"])));
    }

    #[test]
    fn lists_are_sets() {
        assert!(outcome_matches(&parsed(&[1, 2]), &parsed(&[2, 1])));
        assert!(!outcome_matches(&parsed(&[1, 2]), &parsed(&[1])));
    }

    #[test]
    fn reasons_and_paths_are_never_compared() {
        let mut other = rejected(Some("R15"), "y");
        if let Outcome::BundleParsing(BundleParseOutcome::Rejected(r)) = &mut other {
            r.path = Some("/elsewhere".into());
        }
        assert!(outcome_matches(&rejected(Some("R15"), "x"), &other));
    }

    #[test]
    fn rule_ids_count_only_when_the_implementation_reports_them() {
        let e = rejected(Some("R15"), "x");
        assert!(outcome_matches(&e, &rejected(None, "")));
        assert!(outcome_matches(&e, &rejected(Some("R15"), "")));
        assert!(!outcome_matches(&e, &rejected(Some("R16"), "")));
        // An implementation that names a rule where none is expected does not match.
        assert!(!outcome_matches(
            &rejected(None, ""),
            &rejected(Some("R15"), "")
        ));
        // A different kind of outcome never matches.
        assert!(!outcome_matches(&e, &parsed(&[])));
    }
}
