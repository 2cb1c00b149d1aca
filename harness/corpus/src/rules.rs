//! The rule catalogue (`fixtures/rules.json`): every rule the suite checks, with level, source,
//! statement and where it is observable.

use serde::{Deserialize, Serialize};

use msc4268_protocol::cases::Category;

/// The catalogue as shipped with this crate.
pub const RULES_JSON: &str = include_str!("../fixtures/rules.json");

/// The catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Relative path of its JSON Schema.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// What the file is.
    pub description: String,
    /// Every rule.
    pub rules: Vec<Rule>,
    /// The suite's decisions where implementations and texts disagree (digest §7).
    pub decisions: Vec<Decision>,
}

/// RFC 2119 level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    /// MUST / MUST NOT / REQUIRED.
    #[serde(rename = "MUST")]
    Must,
    /// SHOULD / SHOULD NOT / RECOMMENDED.
    #[serde(rename = "SHOULD")]
    Should,
    /// MAY / OPTIONAL.
    #[serde(rename = "MAY")]
    May,
}

/// Where a rule can be observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Observable {
    /// In fixture cases of this category.
    Fixture {
        /// The category.
        category: Category,
    },
    /// Only between real clients and servers.
    Scenario {
        /// What the scenario does.
        note: String,
    },
    /// Only in a user interface.
    Ui {
        /// What to look at.
        note: String,
    },
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id: `R1`–`R45` from the digest, `A*` attachments, `B*` bundle format, `O*` Olm
    /// validation, `X*` sender trust.
    pub id: String,
    /// Requirement level.
    pub level: Level,
    /// Where the rule comes from (MSC text, spec v1.19 section, attachments or Olm spec).
    pub source: String,
    /// The rule in one sentence, in our words.
    pub statement: String,
    /// Where it is observable.
    pub observable: Vec<Observable>,
    /// Discrepancy ids (`D1`..) that bear on this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discrepancies: Vec<String>,
}

impl Rule {
    /// Whether fixtures can observe this rule.
    pub fn fixture_observable(&self) -> bool {
        self.observable
            .iter()
            .any(|o| matches!(o, Observable::Fixture { .. }))
    }
}

/// A decision the suite takes where texts or implementations disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `D1`..`D11` from the digest, or `S*` for the suite's own.
    pub id: String,
    /// The disagreement.
    pub issue: String,
    /// What the suite does.
    pub decision: String,
    /// Why.
    pub rationale: String,
}

/// Parses the shipped catalogue.
pub fn catalogue() -> Result<Catalogue, serde_json::Error> {
    serde_json::from_str(RULES_JSON)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every rule id the suite uses: digest §4 plus the B, A, O and X families.
    fn expected_ids() -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for n in (1..=8).chain(10..=26).chain(30..=45) {
            ids.insert(format!("R{n}"));
        }
        for (family, count) in [("B", 4), ("A", 12), ("O", 8), ("X", 2)] {
            for n in 1..=count {
                ids.insert(format!("{family}{n}"));
            }
        }
        ids
    }

    #[test]
    fn catalogue_parses() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        assert_eq!(cat.schema, "schema/rules.schema.json");
        assert!(!cat.description.trim().is_empty());
        Ok(())
    }

    #[test]
    fn rule_ids_are_unique_and_complete() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        let mut seen = BTreeSet::new();
        for rule in &cat.rules {
            assert!(
                seen.insert(rule.id.clone()),
                "rule {} appears twice",
                rule.id
            );
        }
        let expected = expected_ids();
        let missing: Vec<_> = expected.difference(&seen).collect();
        let unknown: Vec<_> = seen.difference(&expected).collect();
        assert!(
            missing.is_empty(),
            "rules missing from the catalogue: {missing:?}"
        );
        assert!(
            unknown.is_empty(),
            "rules not in the agreed list: {unknown:?}"
        );
        Ok(())
    }

    #[test]
    fn every_rule_is_described() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        for rule in &cat.rules {
            assert!(
                !rule.statement.trim().is_empty(),
                "{}: empty statement",
                rule.id
            );
            assert!(!rule.source.trim().is_empty(), "{}: empty source", rule.id);
            assert!(!rule.observable.is_empty(), "{}: not observable", rule.id);
            for o in &rule.observable {
                if let Observable::Scenario { note } | Observable::Ui { note } = o {
                    assert!(
                        !note.trim().is_empty(),
                        "{}: empty observable note",
                        rule.id
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn discrepancies_name_decisions() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        let mut decisions = BTreeSet::new();
        for d in &cat.decisions {
            assert!(
                decisions.insert(d.id.as_str()),
                "decision {} appears twice",
                d.id
            );
            for (what, text) in [
                ("issue", &d.issue),
                ("decision", &d.decision),
                ("rationale", &d.rationale),
            ] {
                assert!(!text.trim().is_empty(), "decision {}: empty {what}", d.id);
            }
        }
        for n in 1..=11 {
            assert!(
                decisions.contains(format!("D{n}").as_str()),
                "decision D{n} missing"
            );
        }
        for n in 1..=3 {
            assert!(
                decisions.contains(format!("S{n}").as_str()),
                "decision S{n} missing"
            );
        }
        for rule in &cat.rules {
            for d in &rule.discrepancies {
                assert!(
                    decisions.contains(d.as_str()),
                    "{} cites {d}, which is not in `decisions`",
                    rule.id
                );
            }
        }
        Ok(())
    }
}
