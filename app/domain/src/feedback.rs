//! Satisfaction votes: three faces and an optional reason, as the kiosk shows them and the
//! service counts them. Pictograms on the kiosk, codes on the wire and in `queue.db`.

use serde::{Deserialize, Serialize};

/// The face a visitor touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Good,
    Neutral,
    Bad,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Good, Rating::Neutral, Rating::Bad];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::Neutral => "neutral",
            Rating::Bad => "bad",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Why, as pictograms on the kiosk: waiting time, the welcome, whether things were explained,
/// documents (what to bring, what was done with them), the place itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Waiting,
    Welcome,
    Explained,
    Documents,
    Place,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Waiting,
        Reason::Welcome,
        Reason::Explained,
        Reason::Documents,
        Reason::Place,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Waiting => "waiting",
            Reason::Welcome => "welcome",
            Reason::Explained => "explained",
            Reason::Documents => "documents",
            Reason::Place => "place",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_nothing_else_does() {
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.as_str()), Some(r));
        }
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Rating::parse("great"), None);
        assert_eq!(Reason::parse("officer-name"), None);
        assert_eq!(Rating::parse("Good"), None);
    }
}
