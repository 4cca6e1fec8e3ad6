//! `[[desks]]`: each desk's number, its name, the services it serves, how it picks among them
//! (`order = "longest-wait"` or `"listed"`) and its rules (`rules = [{ service = "B",
//! waited_minutes = 30 }]`). The rules of one desk ([`check_desk`]) are the file's and the LAN
//! form's alike; rules naming services are checked with the catalogue.

use crate::office::{DeskEntry, OfficeError};
use baom_domain::{CallOrder, CallRule, Desk, DeskNo, Letter};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeskSection {
    pub(crate) number: Spanned<u16>,
    name: String,
    pub(crate) services: Spanned<Vec<Letter>>,
    #[serde(default)]
    order: CallOrder,
    pub(crate) rules: Option<Spanned<Vec<CallRule>>>,
}

impl DeskSection {
    /// Where the desk's rules are written (its services' place when it has none).
    pub(crate) fn rules_span(&self) -> std::ops::Range<usize> {
        self.rules
            .as_ref()
            .map(|r| r.span())
            .unwrap_or_else(|| self.services.span())
    }

    pub(crate) fn entry(&self) -> DeskEntry {
        DeskEntry {
            number: *self.number.get_ref(),
            name: self.name.clone(),
            services: self.services.get_ref().clone(),
            order: self.order,
            rules: self
                .rules
                .as_ref()
                .map(|r| r.get_ref().clone())
                .unwrap_or_default(),
        }
    }
}

/// One desk's own rules: a number from 1 to 999 and a name of at most 60 characters (its
/// services are checked against the services with the catalogue).
pub fn check_desk(entry: &DeskEntry) -> Result<Desk, OfficeError> {
    if !(1..=999).contains(&entry.number) {
        return Err(OfficeError::new(
            "number",
            "desk_number",
            format!("{}: a desk's number is 1 to 999", entry.number),
        ));
    }
    if entry.name.chars().count() > 60 || entry.name.chars().any(char::is_control) {
        return Err(OfficeError::new(
            "name",
            "desk_name",
            "a desk's name is one line of at most 60 characters",
        ));
    }
    Ok(Desk {
        number: DeskNo(entry.number),
        name: entry.name.clone(),
        services: entry.services.clone(),
        order: entry.order,
        rules: entry.rules.clone(),
    })
}

/// A desk's rules as the LAN form writes them: `B>30, C>45` (a service's letter, `>`, the
/// minutes its oldest ticket must have waited; rules apart by commas, spaces ignored). Empty text is no rule. Whether the letters are
/// the office's and the desk's is the catalogue's check.
pub fn parse_rules(text: &str) -> Result<Vec<CallRule>, OfficeError> {
    let refused = |part: &str| {
        OfficeError::new(
            "rules",
            "rule_format",
            format!("{part:?}: a rule is a service's letter, \">\" and minutes, e.g. B>30"),
        )
    };
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    text.split([',', ';'])
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (letter, minutes) = part.split_once('>').ok_or_else(|| refused(part))?;
            Ok(CallRule {
                service: letter.trim().parse().map_err(|_| refused(part))?,
                waited_minutes: minutes.trim().parse().map_err(|_| refused(part))?,
            })
        })
        .collect()
}

/// The text [`parse_rules`] reads back.
pub fn rules_text(rules: &[CallRule]) -> String {
    rules
        .iter()
        .map(|r| format!("{}>{}", r.service, r.waited_minutes))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_back_and_nonsense_is_refused_by_name() {
        let rules = parse_rules("B>30, C > 45").expect("rules");
        assert_eq!(rules_text(&rules), "B>30, C>45");
        assert_eq!(parse_rules(" ").expect("none"), vec![]);
        for bad in ["B30", "b>30", "B>", "B>-1", "AB>3", "B>99999", "B>30 C>45"] {
            let e = parse_rules(bad).expect_err(bad);
            assert_eq!(
                (e.field.as_str(), e.code),
                ("rules", "rule_format"),
                "{bad}"
            );
        }
    }
}
