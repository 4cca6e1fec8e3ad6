//! The list of cases that replaces the offices' Excel sheet: its filters as an officer picks
//! them (each value checked: an unknown one is named, never ignored), its orders, its pages.
//! An officer's own open work comes first unless another order is asked for.

use super::DossierError;
use super::case::Body;
use super::person::{Profile, Sex};
use jiff::civil::Date;
use std::collections::HashMap;

/// Cases per page.
pub const PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Closed,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The reader's own open cases first, then the newest.
    MineFirst,
    Newest,
    Oldest,
    /// The nearest follow-up date first.
    FollowUp,
}

impl Order {
    pub const ALL: [(Order, &'static str); 4] = [
        (Order::MineFirst, "mine"),
        (Order::Newest, "newest"),
        (Order::Oldest, "oldest"),
        (Order::FollowUp, "follow_up"),
    ];
    pub fn code(self) -> &'static str {
        Order::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map(|(_, c)| *c)
            .unwrap_or("mine")
    }
}

/// What the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Status,
    pub procedure: Option<String>,
    pub body: Option<Body>,
    pub officer: Option<String>,
    pub douar: Option<String>,
    pub profile: Option<Profile>,
    pub sex: Option<Sex>,
    /// A follow-up or a referral's answer past due.
    pub overdue: bool,
    /// Opened between these dates (both included).
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub order: Order,
    /// From 1.
    pub page: u32,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            status: Status::Open,
            procedure: None,
            body: None,
            officer: None,
            douar: None,
            profile: None,
            sex: None,
            overdue: false,
            from: None,
            to: None,
            order: Order::MineFirst,
            page: 1,
        }
    }
}

fn unknown(field: &'static str, value: &str) -> DossierError {
    DossierError::new(
        "invalid_field",
        field,
        format!("{value:?} is not a value of this filter"),
    )
}

impl CaseFilter {
    /// Reads the list's query (`status`, `procedure`, `body`, `officer`, `douar`, `profile`,
    /// `sex`, `overdue`, `from`, `to`, `order`, `page`); an empty value is no filter.
    /// `procedures` are the reference's ids, `douars` the commune's.
    pub fn parse(
        query: &HashMap<String, String>,
        procedures: &[String],
        douars: &[String],
    ) -> Result<CaseFilter, DossierError> {
        let get = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let mut f = CaseFilter::default();
        if let Some(s) = get("status") {
            f.status = match s {
                "open" => Status::Open,
                "closed" => Status::Closed,
                "all" => Status::All,
                other => return Err(unknown("status", other)),
            };
        }
        if let Some(p) = get("procedure") {
            if p != "none" && !procedures.iter().any(|x| x == p) {
                return Err(unknown("procedure", p));
            }
            f.procedure = Some(p.to_owned());
        }
        if let Some(b) = get("body") {
            f.body = Some(Body::parse(b).map_err(|_| unknown("body", b))?);
        }
        if let Some(o) = get("officer") {
            if o.len() > 64 {
                return Err(unknown("officer", o));
            }
            f.officer = Some(o.to_owned());
        }
        if let Some(d) = get("douar") {
            if !douars.iter().any(|x| x == d) {
                return Err(unknown("douar", d));
            }
            f.douar = Some(d.to_owned());
        }
        if let Some(p) = get("profile") {
            f.profile = Some(Profile::parse(p).ok_or_else(|| unknown("profile", p))?);
        }
        if let Some(s) = get("sex") {
            f.sex = Some(Sex::parse(s).ok_or_else(|| unknown("sex", s))?);
        }
        if let Some(o) = get("overdue") {
            f.overdue = match o {
                "1" | "on" | "yes" | "true" => true,
                "0" | "no" | "false" => false,
                other => return Err(unknown("overdue", other)),
            };
        }
        let date = |field: &'static str, v: &str| {
            v.parse::<Date>()
                .map_err(|_| DossierError::new("invalid_field", field, "a date, YYYY-MM-DD"))
        };
        f.from = get("from").map(|v| date("from", v)).transpose()?;
        f.to = get("to").map(|v| date("to", v)).transpose()?;
        if let (Some(a), Some(b)) = (f.from, f.to)
            && b < a
        {
            return Err(DossierError::new(
                "invalid_field",
                "to",
                "the period ends before it starts",
            ));
        }
        if let Some(o) = get("order") {
            f.order = Order::ALL
                .iter()
                .find(|(_, c)| *c == o)
                .map(|(o, _)| *o)
                .ok_or_else(|| unknown("order", o))?;
        }
        if let Some(p) = get("page") {
            f.page = p
                .parse::<u32>()
                .ok()
                .filter(|p| (1..=100_000).contains(p))
                .ok_or_else(|| unknown("page", p))?;
        }
        Ok(f)
    }

    /// The query that gives this filter back (for links to other pages and the export).
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![(
            "status",
            match self.status {
                Status::Open => "open",
                Status::Closed => "closed",
                Status::All => "all",
            }
            .to_owned(),
        )];
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k, v));
            }
        };
        put("procedure", self.procedure.clone());
        put("body", self.body.map(|b| b.as_str().to_owned()));
        put("officer", self.officer.clone());
        put("douar", self.douar.clone());
        put("profile", self.profile.map(|p| p.as_str().to_owned()));
        put("sex", self.sex.map(|s| s.as_str().to_owned()));
        put("overdue", self.overdue.then(|| "1".to_owned()));
        put("from", self.from.map(|d| d.to_string()));
        put("to", self.to.map(|d| d.to_string()));
        q.push(("order", self.order.code().to_owned()));
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn filters_read_back_and_unknown_values_are_named() {
        let procs = vec!["birth-registration".to_owned()];
        let douars = vec!["Tinfat".to_owned()];
        let f = CaseFilter::parse(
            &q(&[
                ("status", "all"),
                ("body", "cnss"),
                ("sex", "female"),
                ("overdue", "1"),
                ("douar", "Tinfat"),
                ("procedure", "birth-registration"),
                ("order", "oldest"),
                ("page", "2"),
                ("profile", ""),
            ]),
            &procs,
            &douars,
        )
        .unwrap();
        assert_eq!(
            (
                f.status, f.body, f.sex, f.overdue, f.page, f.order, f.profile
            ),
            (
                Status::All,
                Some(Body::Cnss),
                Some(Sex::Female),
                true,
                2,
                Order::Oldest,
                None
            )
        );
        let back: HashMap<String, String> = f
            .query()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let again = CaseFilter::parse(&back, &procs, &douars).unwrap();
        assert_eq!(again, CaseFilter { page: 1, ..f });
        for (k, v) in [
            ("status", "maybe"),
            ("body", "nasa"),
            ("douar", "Atlantis"),
            ("profile", "tourist"),
            ("sex", "x"),
            ("overdue", "often"),
            ("from", "May"),
            ("order", "random"),
            ("page", "0"),
            ("procedure", "nothing-like-it"),
        ] {
            assert_eq!(
                CaseFilter::parse(&q(&[(k, v)]), &procs, &douars)
                    .unwrap_err()
                    .field,
                k,
                "{k}={v}"
            );
        }
        assert_eq!(
            CaseFilter::parse(
                &q(&[("from", "2026-03-01"), ("to", "2026-02-01")]),
                &procs,
                &douars
            )
            .unwrap_err()
            .field,
            "to"
        );
    }
}
