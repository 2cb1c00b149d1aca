//! The rule catalogue (`fixtures/rules.json`): every rule the suite checks, with level, source,
//! statement and where it is observable.

use serde::{Deserialize, Serialize};

use crate::cases::Category;

/// The catalogue as shipped with this crate.
pub const RULES_JSON: &str = include_str!("../../../fixtures/rules.json");

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
