//! Profiles: which tiers of cases make a run fail.
//!
//! Every case is counted in the [`Tier`] of its level (required: `MUST`; recommended: `SHOULD`
//! and `MAY`; suite: the suite's own hardening). Reports always show all three; the profile only
//! picks which failures fail the run (the exit status of `msc4268 check`, the `passed` members of
//! the JSON report, JUnit `<failure>`s, failed libtest trials):
//!
//! | profile | a failure fails the run in |
//! |---|---|
//! | `required` (default) | required |
//! | `recommended` | required, recommended |
//! | `strict` | required, recommended, suite |

use serde::Serialize;

use crate::runner::{CaseReport, Status};
use msc4268_corpus::rules::Tier;

/// Which tiers of failures fail a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Only failures of `MUST` cases: what the texts require.
    #[default]
    Required,
    /// Failures of `MUST`, `SHOULD` and `MAY` cases: also what the texts recommend.
    Recommended,
    /// Every failure, the suite's hardening choices included.
    Strict,
}

impl Profile {
    /// Every profile, weakest first.
    pub const ALL: [Profile; 3] = [Profile::Required, Profile::Recommended, Profile::Strict];

    /// `required`, `recommended` or `strict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Required => "required",
            Profile::Recommended => "recommended",
            Profile::Strict => "strict",
        }
    }

    /// Whether a failure of a case in `tier` fails a run under this profile.
    pub fn counts(self, tier: Tier) -> bool {
        match self {
            Profile::Required => tier == Tier::Required,
            Profile::Recommended => tier >= Tier::Recommended,
            Profile::Strict => true,
        }
    }

    /// The weakest profile under which a failure in `tier` fails a run: `required` for required
    /// cases, `recommended` for recommended ones, `strict` for suite hardening.
    pub fn weakest_counting(tier: Tier) -> Profile {
        match tier {
            Tier::Required => Profile::Required,
            Tier::Recommended => Profile::Recommended,
            Tier::Suite => Profile::Strict,
        }
    }

    /// Whether this case report fails a run under this profile: its status is a failure (failed,
    /// errored, unexpected pass, expected-failure mismatch) and its tier counts.
    pub fn fails(self, case: &CaseReport) -> bool {
        case.status.is_failure() && self.counts(case.tier())
    }

    /// Whether this case report is a failure this profile does not count (reports show it in
    /// its tier's column, but it does not fail the run).
    pub fn tolerates(self, case: &CaseReport) -> bool {
        case.status.is_failure() && !self.counts(case.tier())
    }

    /// A one-line note for a failure this profile does not count.
    pub fn tolerated_note(self, case: &CaseReport) -> String {
        let what = match &case.status {
            Status::UnexpectedPass { .. } => "passed although listed as an expected failure",
            Status::Errored { .. } => "errored",
            Status::ExpectedFailureMismatch { .. } => {
                "failed another way than its expected-failures entry says"
            }
            _ => "failed",
        };
        format!(
            "{what} ({} case, level {}); not counted under profile {}",
            case.tier(),
            case.level,
            self
        )
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown profile name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{0}`; one of: required, recommended, strict")]
pub struct UnknownProfile(pub String);

impl std::str::FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_profile_counts_its_tiers() {
        use Tier::*;
        let counted =
            |p: Profile| -> Vec<Tier> { Tier::ALL.into_iter().filter(|t| p.counts(*t)).collect() };
        assert_eq!(counted(Profile::Required), vec![Required]);
        assert_eq!(counted(Profile::Recommended), vec![Required, Recommended]);
        assert_eq!(counted(Profile::Strict), vec![Required, Recommended, Suite]);
        for t in Tier::ALL {
            let p = Profile::weakest_counting(t);
            assert!(p.counts(t));
            assert!(
                Profile::ALL
                    .into_iter()
                    .filter(|q| *q < p)
                    .all(|q| !q.counts(t)),
                "{p} is not the weakest profile counting {t}"
            );
        }
    }

    #[test]
    fn parses_its_names() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
        }
        assert_eq!(
            "MUST".parse::<Profile>(),
            Err(UnknownProfile("MUST".into()))
        );
        assert_eq!(Profile::default(), Profile::Required);
    }
}
