//! The rule catalogue (`fixtures/rules.json`): every rule the suite checks, with level, source,
//! the verbatim quotes it rests on, statement and where it is observable.
//!
//! The quoted passages are vendored under `fixtures/spec/` ([`spec_passage`]); the tests of this
//! module check every quote against them and every level against its quotes ([`keyword_level`]).

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

/// A rule's requirement level: the RFC 2119 level its quotes give, or [`Level::Suite`] where no
/// sentence of the texts requires what the rule checks.
///
/// The derived order is by strength: `Suite` < `May` < `Should` < `Must`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// No normative sentence: the suite's own choice, explained by the rule's `rationale`.
    #[serde(rename = "suite")]
    Suite,
    /// MAY / OPTIONAL.
    #[serde(rename = "MAY")]
    May,
    /// SHOULD / SHOULD NOT / RECOMMENDED.
    #[serde(rename = "SHOULD")]
    Should,
    /// MUST / MUST NOT / REQUIRED / SHALL, and a schema's `required`.
    #[serde(rename = "MUST")]
    Must,
}

impl Level {
    /// The spelling used in `rules.json`: `MUST`, `SHOULD`, `MAY` or `suite`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
            Level::Suite => "suite",
        }
    }
}

impl Level {
    /// The [`Tier`] a case of this level is counted in: `MUST` is required, `SHOULD` and `MAY`
    /// are recommended, `suite` is suite hardening.
    pub fn tier(self) -> Tier {
        match self {
            Level::Must => Tier::Required,
            Level::Should | Level::May => Tier::Recommended,
            Level::Suite => Tier::Suite,
        }
    }
}

/// The three columns of every report: the results of the cases the texts require (`MUST`), of
/// those they recommend (`SHOULD`, and `MAY`: a MAY case checks that a reading the texts allow is
/// handled, which is advice in the same sense), and of the suite's own hardening choices
/// (`suite`). A case's tier is the tier of its [`CaseDef::level`](crate::fixture::CaseDef::level).
///
/// The derived order is by strength: `Suite` < `Recommended` < `Required`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Cases of `suite` rules: the suite's hardening choices.
    Suite,
    /// Cases of `SHOULD` and `MAY` rules.
    Recommended,
    /// Cases of `MUST` rules.
    Required,
}

impl Tier {
    /// Every tier, strongest first (the order of report columns).
    pub const ALL: [Tier; 3] = [Tier::Required, Tier::Recommended, Tier::Suite];

    /// `required`, `recommended` or `suite`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Required => "required",
            Tier::Recommended => "recommended",
            Tier::Suite => "suite",
        }
    }

    /// The levels counted in this tier: `MUST`, `SHOULD, MAY`, `suite`.
    pub fn levels(self) -> &'static str {
        match self {
            Tier::Required => "MUST",
            Tier::Recommended => "SHOULD, MAY",
            Tier::Suite => "suite",
        }
    }

    /// A column heading: `required (MUST)`, `recommended (SHOULD, MAY)`, `suite hardening`.
    pub fn heading(self) -> &'static str {
        match self {
            Tier::Required => "required (MUST)",
            Tier::Recommended => "recommended (SHOULD, MAY)",
            Tier::Suite => "suite hardening",
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One verbatim passage of a text a rule rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// File name of the vendored passage under `fixtures/spec/` (for example
    /// `spec-v1.19-end-to-end-encryption.md`).
    pub source: String,
    /// Where in that file: the section heading (Markdown files) or the schema path (YAML files).
    pub anchor: String,
    /// The exact words, a substring of the vendored passage up to line breaks and runs of
    /// whitespace (see [`normalise_whitespace`]).
    pub text: String,
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
    /// The sentences the rule rests on, verbatim; empty exactly when the level is
    /// [`Level::Suite`].
    pub quotes: Vec<Quote>,
    /// Why the suite checks the rule although no sentence requires it; present exactly when the
    /// level is [`Level::Suite`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
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

impl Rule {
    /// This rule's row in the tables of `docs/rules.md`: id, level, statement, where it is
    /// observable (the fixture categories first, then each scenario and UI note), source, and
    /// links to its decisions.
    pub fn markdown_row(&self) -> String {
        let categories: Vec<String> = self
            .observable
            .iter()
            .filter_map(|o| match o {
                Observable::Fixture { category } => Some(format!("`{}`", category.as_str())),
                _ => None,
            })
            .collect();
        let mut observable = Vec::new();
        if !categories.is_empty() {
            observable.push(format!("**fixture:** {}", categories.join(", ")));
        }
        for o in &self.observable {
            match o {
                Observable::Fixture { .. } => {}
                Observable::Scenario { note } => observable.push(format!("**scenario:** {note}")),
                Observable::Ui { note } => observable.push(format!("**ui:** {note}")),
            }
        }
        let decisions: Vec<String> = self
            .discrepancies
            .iter()
            .map(|d| format!("[{d}](#{})", d.to_lowercase()))
            .collect();
        format!(
            "| **{}** | {} | {} | {} | {} | {} |",
            self.id,
            self.level,
            self.statement,
            observable.join("<br>"),
            self.source,
            decisions.join(", ")
        )
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
    /// Rules whose level this decision sets where it differs from the strongest key word of
    /// their quotes (for example a lower-case "must", or a step stated without a key word).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets_level_of: Vec<String>,
}

impl Decision {
    /// This decision's block in `docs/rules.md`: heading, issue, decision, rationale and the rules
    /// whose level it sets.
    pub fn markdown_block(&self) -> String {
        let mut block = format!(
            "### {}\n\n* **Issue.** {}\n* **Decision.** {}\n* **Rationale.** {}\n",
            self.id, self.issue, self.decision, self.rationale
        );
        if !self.sets_level_of.is_empty() {
            block.push_str(&format!(
                "* **Sets the level of.** {}\n",
                self.sets_level_of.join(", ")
            ));
        }
        block
    }
}

/// Why a case's level cannot be derived from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    /// The case names no rule.
    #[error("the case names no rule, so no rule decides its verdict")]
    NoRule,
    /// The deciding rule is not in the catalogue.
    #[error("rule {0} decides the verdict but is not in fixtures/rules.json")]
    UnknownRule(String),
}

impl Catalogue {
    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The level of a case that names `rules` (main rule first): the level of its **deciding
    /// rule**, the first of `rules`. The deciding rule is the one whose requirement the case's
    /// verdict rests on: the rule a failing implementation breaks (`valid` and `invalid` cases),
    /// or the rule whose latitude makes the case `acceptable`. Rules named after it are
    /// exercised on the way (a bundle must parse before its sender is checked) but do not
    /// decide, so they do not raise or lower the level.
    pub fn deciding_level<S: AsRef<str>>(&self, rules: &[S]) -> Result<Level, LevelError> {
        let first = rules.first().ok_or(LevelError::NoRule)?.as_ref();
        self.rule(first)
            .map(|r| r.level)
            .ok_or_else(|| LevelError::UnknownRule(first.to_owned()))
    }

    /// The fixture-coverage table of `docs/rules.md` (each fixture category with the rules
    /// observable in it) and the list of rules observable only in scenarios or user interfaces.
    pub fn coverage_markdown(&self) -> String {
        let mut out = String::from("| Category | Rules |\n|---|---|\n");
        for category in Category::ALL {
            let ids: Vec<&str> = self
                .rules
                .iter()
                .filter(|r| {
                    r.observable
                        .iter()
                        .any(|o| matches!(o, Observable::Fixture { category: c } if *c == category))
                })
                .map(|r| r.id.as_str())
                .collect();
            out.push_str(&format!(
                "| `{}` | {} |\n",
                category.as_str(),
                ids.join(", ")
            ));
        }
        let elsewhere: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| !r.fixture_observable())
            .map(|r| r.id.as_str())
            .collect();
        out.push_str(&format!(
            "\nThese rules are observable only in scenarios or user interfaces: {}.\n",
            elsewhere.join(", ")
        ));
        out
    }

    /// The "Quotes" part of `docs/rules.md`: for every rule, its level and each quote with its
    /// source file (linked) and anchor, or, for a `suite` rule, its rationale.
    pub fn quotes_markdown(&self) -> String {
        let mut out = String::new();
        for rule in &self.rules {
            out.push_str(&format!("### {} ({})\n\n", rule.id, rule.level));
            if rule.level == Level::Suite {
                out.push_str(&format!(
                    "No quote: no sentence of the texts requires this rule. **Why the suite checks it.** {}\n\n",
                    rule.rationale.as_deref().unwrap_or("")
                ));
            }
            for q in &rule.quotes {
                out.push_str(&format!(
                    "* [`{src}`](../fixtures/spec/{src}), {}:\n  > {}\n",
                    q.anchor,
                    normalise_whitespace(&q.text),
                    src = q.source
                ));
            }
            if !rule.quotes.is_empty() {
                out.push('\n');
            }
        }
        out
    }
}

/// Parses the shipped catalogue.
pub fn catalogue() -> Result<Catalogue, serde_json::Error> {
    serde_json::from_str(RULES_JSON)
}

/// The line that ends the origin-and-licence header of every vendored passage.
pub const VENDORING_HEADER_END: &str = "end of vendoring header";

/// The text of the vendored passage `fixtures/spec/<name>` after its header (origin and licence,
/// up to the line containing [`VENDORING_HEADER_END`]), or `None` if there is no such file or it
/// has no header.
pub fn spec_passage(name: &str) -> Option<&'static str> {
    let text = crate::embedded::file(&format!("spec/{name}"))?;
    let at = text.find(VENDORING_HEADER_END)?;
    let rest = &text[at..];
    Some(rest.find('\n').map_or("", |nl| &rest[nl + 1..]))
}

/// `text` with every run of whitespace (line breaks included) replaced by one space, and no
/// leading or trailing whitespace: the only normalisation applied when a quote is compared with
/// its passage, because the passages wrap lines where a quote does not.
pub fn normalise_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The strongest RFC 2119 key word in a quote taken from the file `source`: `MUST`, `MUST NOT`,
/// `REQUIRED`, `SHALL` (and, in a YAML schema, the word `required` in any case) give
/// [`Level::Must`]; `SHOULD`, `SHOULD NOT`, `RECOMMENDED` give [`Level::Should`]; `MAY`,
/// `OPTIONAL` give [`Level::May`]; `None` if it has none. Key words count only in capitals and as
/// whole words: a lower-case "must" in prose is not one (decision S4 of the catalogue says how the
/// suite reads those).
pub fn keyword_level(source: &str, text: &str) -> Option<Level> {
    let schema = source.ends_with(".yaml");
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter_map(|word| match word {
            "MUST" | "REQUIRED" | "SHALL" => Some(Level::Must),
            "SHOULD" | "RECOMMENDED" => Some(Level::Should),
            "MAY" | "OPTIONAL" => Some(Level::May),
            w if schema && w.eq_ignore_ascii_case("required") => Some(Level::Must),
            _ => None,
        })
        .max()
}

/// The key words of a quote from the file `source` that are **not** RFC 2119 key words because
/// of their case: "must", "should", "shall", "required", "recommended" in lower case, or
/// capitalised only as the first word of a sentence ("Must be `v2`."). A YAML schema's `required`
/// is a key word in any case ([`keyword_level`]) and is not listed. The catalogue decides how it
/// reads each of these (see [`Decision::names_rule`]).
pub fn lowercase_keywords<'a>(source: &str, text: &'a str) -> Vec<&'a str> {
    let schema = source.ends_with(".yaml");
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|word| {
            let lower = word.to_ascii_lowercase();
            let keyword = matches!(
                lower.as_str(),
                "must" | "should" | "shall" | "required" | "recommended"
            );
            let upper = word.chars().all(|c| c.is_ascii_uppercase());
            keyword && !upper && !(schema && lower == "required")
        })
        .collect()
}

impl Decision {
    /// Whether the decision's issue or decision text names rule `id`, by itself (`R41`) or inside
    /// a range of one family (`O1–O7`, `A1-A5`).
    pub fn names_rule(&self, id: &str) -> bool {
        let text = format!("{} {}", self.issue, self.decision);
        rule_mentions(&text).iter().any(|m| m == id)
    }
}

/// Every rule id a text names, ranges (`O1–O7`) expanded.
fn rule_mentions(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let number_at = |i: usize| -> Option<(u32, usize)> {
        let digits: String = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok().map(|n| (n, i + digits.len()))
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if starts_word
            && matches!(c, 'R' | 'A' | 'B' | 'O' | 'X')
            && let Some((first, end)) = number_at(i + 1)
            && chars.get(end).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            let mut last = first;
            let mut next = end;
            if matches!(chars.get(end), Some('–' | '-'))
                && chars.get(end + 1) == Some(&c)
                && let Some((to, after)) = number_at(end + 2)
                && to >= first
            {
                last = to;
                next = after;
            }
            out.extend((first..=last).map(|n| format!("{c}{n}")));
            i = next;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every rule id the suite uses: digest §4 plus the B, A, O and X families.
    fn expected_ids() -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for n in (1..=8).chain(10..=26).chain(30..=50) {
            ids.insert(format!("R{n}"));
        }
        for (family, count) in [("B", 5), ("A", 13), ("O", 8), ("X", 2)] {
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

    /// Every quote is a verbatim substring of the vendored passage it names (`fixtures/spec/`,
    /// after the file's origin-and-licence header). The only normalisation is
    /// [`normalise_whitespace`] on both sides: line breaks and runs of whitespace count as one
    /// space, because the passages wrap their lines and the quotes do not; case, punctuation,
    /// Markdown and typos are compared as they are. A quote from a Markdown passage names one of
    /// its section headings as `anchor`.
    #[test]
    fn quotes_are_verbatim() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        for rule in &cat.rules {
            for q in &rule.quotes {
                let passage = spec_passage(&q.source).unwrap_or_else(|| {
                    panic!(
                        "{}: quote source fixtures/spec/{} is missing or has no vendoring header",
                        rule.id, q.source
                    )
                });
                let text = normalise_whitespace(&q.text);
                assert!(!text.is_empty(), "{}: empty quote", rule.id);
                assert!(
                    normalise_whitespace(passage).contains(&text),
                    "{}: quote not found verbatim in fixtures/spec/{}: {text:?}",
                    rule.id,
                    q.source
                );
                assert!(
                    !q.anchor.trim().is_empty(),
                    "{}: quote from {} has no anchor",
                    rule.id,
                    q.source
                );
                if q.source.ends_with(".md") {
                    let headings: Vec<&str> = passage
                        .lines()
                        .filter(|l| l.starts_with('#'))
                        .map(|l| {
                            let h = l.trim_start_matches('#').trim();
                            h.split(" {#").next().unwrap_or(h)
                        })
                        .collect();
                    assert!(
                        headings.contains(&q.anchor.as_str()),
                        "{}: anchor {:?} is not a heading of fixtures/spec/{}",
                        rule.id,
                        q.anchor,
                        q.source
                    );
                } else {
                    assert!(
                        q.source.ends_with(".yaml") || passage.contains(&q.anchor),
                        "{}: anchor {:?} does not occur in fixtures/spec/{}",
                        rule.id,
                        q.anchor,
                        q.source
                    );
                }
            }
        }
        Ok(())
    }

    /// Every file under `fixtures/spec/` (but its README) has a vendoring header and is quoted by
    /// at least one rule: nothing is vendored that the catalogue does not rest on.
    #[test]
    fn every_vendored_passage_is_quoted() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        let quoted: BTreeSet<&str> = cat
            .rules
            .iter()
            .flat_map(|r| r.quotes.iter().map(|q| q.source.as_str()))
            .collect();
        let dir = crate::embedded::FIXTURES
            .get_dir("spec")
            .expect("fixtures/spec/ is embedded");
        let mut files = 0;
        for f in dir.files() {
            let name = f.path().file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == "README.md" {
                continue;
            }
            files += 1;
            assert!(
                spec_passage(name).is_some(),
                "fixtures/spec/{name}: no vendoring header"
            );
            assert!(
                quoted.contains(name),
                "fixtures/spec/{name} is quoted by no rule"
            );
        }
        assert!(files > 0, "fixtures/spec/ holds no passage");
        Ok(())
    }

    /// A rule the texts support has quotes and no rationale; a `suite` rule has no quotes and a
    /// rationale saying why the suite checks it.
    #[test]
    fn every_rule_rests_on_quotes_or_a_rationale() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        for rule in &cat.rules {
            if rule.level == Level::Suite {
                assert!(
                    rule.quotes.is_empty(),
                    "{}: a `suite` rule quotes no text",
                    rule.id
                );
                assert!(
                    rule.rationale
                        .as_deref()
                        .is_some_and(|r| !r.trim().is_empty()),
                    "{}: a `suite` rule needs a rationale",
                    rule.id
                );
            } else {
                assert!(
                    !rule.quotes.is_empty(),
                    "{}: level {} but no quote",
                    rule.id,
                    rule.level
                );
                assert!(
                    rule.rationale.is_none(),
                    "{}: only `suite` rules carry a rationale",
                    rule.id
                );
            }
        }
        Ok(())
    }

    /// A rule's level is the strongest RFC 2119 key word of its quotes ([`keyword_level`]), or a
    /// decision names the rule in `sets_level_of` (and says why it reads the text otherwise).
    #[test]
    fn levels_are_what_the_quotes_say() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        let ids: BTreeSet<&str> = cat.rules.iter().map(|r| r.id.as_str()).collect();
        let decided: BTreeSet<&str> = cat
            .decisions
            .iter()
            .flat_map(|d| d.sets_level_of.iter().map(String::as_str))
            .collect();
        for id in &decided {
            assert!(ids.contains(id), "`sets_level_of` names unknown rule {id}");
        }
        for rule in cat.rules.iter().filter(|r| r.level != Level::Suite) {
            let strongest = rule
                .quotes
                .iter()
                .filter_map(|q| keyword_level(&q.source, &q.text))
                .max();
            assert!(
                strongest == Some(rule.level) || decided.contains(rule.id.as_str()),
                "{}: level {} but the strongest key word of its quotes is {}, and no decision \
                 sets its level",
                rule.id,
                rule.level,
                strongest.map_or("none", Level::as_str)
            );
        }
        Ok(())
    }

    /// A lower-case "must" or "should" (or a sentence-case "Must") in a quote is not a key word,
    /// so how the suite reads it is decided explicitly: every rule quoting one cites, in
    /// `discrepancies`, a decision whose issue or decision names the rule.
    #[test]
    fn lowercase_keywords_are_decided() -> Result<(), serde_json::Error> {
        let cat = catalogue()?;
        let mut undecided = Vec::new();
        for rule in &cat.rules {
            let words: Vec<&str> = rule
                .quotes
                .iter()
                .flat_map(|q| lowercase_keywords(&q.source, &q.text))
                .collect();
            if words.is_empty() {
                continue;
            }
            let decided = cat
                .decisions
                .iter()
                .filter(|d| rule.discrepancies.contains(&d.id))
                .any(|d| d.names_rule(&rule.id));
            if !decided {
                undecided.push(format!("{} quotes {words:?}", rule.id));
            }
        }
        assert!(
            undecided.is_empty(),
            "rules resting on lower-case key words without a decision that names them:\n{}",
            undecided.join("\n")
        );
        Ok(())
    }

    #[test]
    fn lowercase_keywords_and_rule_mentions() {
        assert_eq!(
            lowercase_keywords("x.md", "clients must treat; it MUST; Must be `v2`; SHOULD"),
            vec!["must", "Must"]
        );
        assert_eq!(
            lowercase_keywords("x.md", "a recommended limit"),
            vec!["recommended"]
        );
        assert!(lowercase_keywords("x.yaml", "required: - url").is_empty());
        assert_eq!(
            rule_mentions("checks (O1–O7), R41 and A1-A3; not RR2 or R4x"),
            vec![
                "O1", "O2", "O3", "O4", "O5", "O6", "O7", "R41", "A1", "A2", "A3"
            ]
        );
    }

    #[test]
    fn keyword_levels() {
        let md = "x.md";
        assert_eq!(keyword_level(md, "clients MUST NOT use"), Some(Level::Must));
        assert_eq!(keyword_level(md, "SHOULD; it MAY"), Some(Level::Should));
        assert_eq!(keyword_level(md, "It is RECOMMENDED"), Some(Level::Should));
        assert_eq!(keyword_level(md, "MAY choose"), Some(Level::May));
        assert_eq!(keyword_level(md, "this process must be resilient"), None);
        assert_eq!(keyword_level(md, "Must be `v2`."), None);
        assert_eq!(keyword_level(md, "required: - url"), None);
        assert_eq!(
            keyword_level("x.yaml", "required: - url"),
            Some(Level::Must)
        );
        assert_eq!(
            keyword_level("x.yaml", "Required if `code`"),
            Some(Level::Must)
        );
        assert_eq!(keyword_level("x.yaml", "MUSTARD"), None);
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
