//! The census of migrant households per douar, counted from households, not only from people
//! with a dossier: a household noted in the field (souk day), from the commune's monograph or at
//! the desk, with its douar, its size and how many of its members live abroad, in another
//! Moroccan city (internal migrants count too), came back (returnees) or are third-country
//! nationals. No name: counts only, and the countries of those abroad.
//!
//! A *migrant household* has at least one such member. Its share is of the douar's households
//! as the commune's settings give them, and of the commune's total.

use crate::dossier::DossierError;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// Where the household was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Field,
    Monograph,
    Desk,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Field, Source::Monograph, Source::Desk];
    pub fn code(self) -> &'static str {
        match self {
            Source::Field => "field",
            Source::Monograph => "monograph",
            Source::Desk => "desk",
        }
    }
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// A household as counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub douar: String,
    pub size: u16,
    pub abroad: u16,
    pub internal: u16,
    pub returnees: u16,
    pub foreigners: u16,
    /// ISO 3166 alpha-2 codes of the countries its members abroad live in.
    pub countries: Vec<String>,
    pub source: Source,
    pub noted_on: Date,
}

impl Household {
    pub fn is_migrant(&self) -> bool {
        self.abroad + self.internal + self.returnees + self.foreigners > 0
    }
}

/// A household as a form sends it.
#[derive(Debug, Clone, Default)]
pub struct HouseholdInput {
    pub douar: String,
    pub size: String,
    pub abroad: String,
    pub internal: String,
    pub returnees: String,
    pub foreigners: String,
    pub countries: String,
    pub source: String,
    pub noted_on: String,
}

fn count(field: &'static str, text: &str, max: u16) -> Result<u16, DossierError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<u16>().ok().filter(|n| *n <= max).ok_or_else(|| {
        DossierError::new(
            "invalid_field",
            field,
            format!("{field} is a number from 0 to {max}"),
        )
    })
}

impl HouseholdInput {
    pub fn check(&self, douars: &[String], today: Date) -> Result<Household, DossierError> {
        let douar = self.douar.trim();
        if !douars.iter().any(|d| d == douar) {
            return Err(DossierError::new(
                if douar.is_empty() {
                    "missing_field"
                } else {
                    "unknown_douar"
                },
                "douar",
                "the household's douar is one of the commune's douars",
            ));
        }
        let size = count("size", &self.size, 60)?;
        if size == 0 {
            return Err(DossierError::new(
                "missing_field",
                "size",
                "a household has at least one member",
            ));
        }
        let (abroad, internal, returnees, foreigners) = (
            count("abroad", &self.abroad, 60)?,
            count("internal", &self.internal, 60)?,
            count("returnees", &self.returnees, 60)?,
            count("foreigners", &self.foreigners, 60)?,
        );
        // Members abroad or in another city are counted beside those at home; returnees and
        // third-country nationals live in it.
        if returnees + foreigners > size {
            return Err(DossierError::new(
                "invalid_field",
                "returnees",
                "returnees and third-country nationals live in the household: no more than its size",
            ));
        }
        let mut countries = Vec::new();
        for c in self
            .countries
            .split([',', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let c = c.to_ascii_uppercase();
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(DossierError::new(
                    "invalid_field",
                    "countries",
                    format!("{c:?} is not a country code (FR, ES, BE…)"),
                ));
            }
            if !countries.contains(&c) {
                countries.push(c);
            }
        }
        if !countries.is_empty() && abroad == 0 {
            return Err(DossierError::new(
                "invalid_field",
                "countries",
                "countries are those of members abroad: none is counted",
            ));
        }
        let source = if self.source.trim().is_empty() {
            Source::Field
        } else {
            Source::parse(self.source.trim()).ok_or_else(|| {
                DossierError::new(
                    "invalid_field",
                    "source",
                    "source is field, monograph or desk",
                )
            })?
        };
        let noted_on = match self.noted_on.trim() {
            "" => today,
            d => d
                .parse::<Date>()
                .ok()
                .filter(|d| *d <= today)
                .ok_or_else(|| {
                    DossierError::new(
                        "invalid_field",
                        "noted_on",
                        "the day it was counted, YYYY-MM-DD, not after today",
                    )
                })?,
        };
        Ok(Household {
            douar: douar.to_owned(),
            size,
            abroad,
            internal,
            returnees,
            foreigners,
            countries,
            source,
            noted_on,
        })
    }
}

/// One douar's census.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DouarCensus {
    pub douar: String,
    /// The douar's households, as the commune's settings give them (0: not known).
    pub households: u32,
    pub migrant_households: u32,
    pub abroad: u32,
    pub internal: u32,
    pub returnees: u32,
    pub foreigners: u32,
}

impl DouarCensus {
    /// The share of the douar's households with a migrant, in percent.
    pub fn share(&self) -> Option<f64> {
        (self.households > 0)
            .then(|| f64::from(self.migrant_households) * 100.0 / f64::from(self.households))
    }
}

/// The commune's census: per douar (in the settings' order), the total, and the countries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Census {
    pub douars: Vec<DouarCensus>,
    pub total: DouarCensus,
    /// Douars with at least one migrant household.
    pub douars_with_migrants: u32,
    /// Households with members in each country.
    pub countries: BTreeMap<String, u32>,
}

/// The census of `households` noted up to `until`, over the commune's `douars` (name, households).
pub fn census(douars: &[(String, u32)], households: &[Household], until: Date) -> Census {
    let mut by: Vec<DouarCensus> = douars
        .iter()
        .map(|(d, n)| DouarCensus {
            douar: d.clone(),
            households: *n,
            ..DouarCensus::default()
        })
        .collect();
    let mut countries = BTreeMap::new();
    for h in households
        .iter()
        .filter(|h| h.noted_on <= until && h.is_migrant())
    {
        let Some(d) = by.iter_mut().find(|d| d.douar == h.douar) else {
            continue;
        };
        d.migrant_households += 1;
        d.abroad += u32::from(h.abroad);
        d.internal += u32::from(h.internal);
        d.returnees += u32::from(h.returnees);
        d.foreigners += u32::from(h.foreigners);
        for c in &h.countries {
            *countries.entry(c.clone()).or_insert(0) += 1;
        }
    }
    let mut total = DouarCensus {
        douar: "total".into(),
        ..DouarCensus::default()
    };
    for d in &by {
        total.households += d.households;
        total.migrant_households += d.migrant_households;
        total.abroad += d.abroad;
        total.internal += d.internal;
        total.returnees += d.returnees;
        total.foreigners += d.foreigners;
    }
    Census {
        douars_with_migrants: by.iter().filter(|d| d.migrant_households > 0).count() as u32,
        douars: by,
        total,
        countries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 12, 2);

    fn input(douar: &str, size: &str, abroad: &str) -> HouseholdInput {
        HouseholdInput {
            douar: douar.into(),
            size: size.into(),
            abroad: abroad.into(),
            ..HouseholdInput::default()
        }
    }

    #[test]
    fn households_give_the_census_sentence() {
        let douars = vec![("Tinfat".to_owned(), 10), ("Assaisse".to_owned(), 20)];
        let names: Vec<String> = douars.iter().map(|d| d.0.clone()).collect();
        let mut hs = vec![];
        for _ in 0..3 {
            hs.push(input("Tinfat", "5", "1").check(&names, TODAY).unwrap());
        }
        let fr = HouseholdInput {
            countries: "fr, ES".into(),
            ..input("Assaisse", "4", "2")
        };
        hs.push(fr.check(&names, TODAY).unwrap());
        hs.push(input("Assaisse", "6", "0").check(&names, TODAY).unwrap());
        let c = census(&douars, &hs, TODAY);
        assert_eq!(
            (
                c.total.migrant_households,
                c.douars_with_migrants,
                c.total.households
            ),
            (4, 2, 30)
        );
        assert_eq!(c.douars[0].share(), Some(30.0));
        assert_eq!(c.total.abroad, 5);
        assert_eq!(c.countries.get("FR"), Some(&1));
    }

    #[test]
    fn a_household_that_does_not_add_up_is_refused() {
        let names = vec!["Tinfat".to_owned()];
        for (i, field) in [
            (input("Atlantis", "3", "1"), "douar"),
            (input("Tinfat", "", "1"), "size"),
            (input("Tinfat", "many", "1"), "size"),
            (input("Tinfat", "3", "-1"), "abroad"),
            (
                HouseholdInput {
                    returnees: "4".into(),
                    ..input("Tinfat", "3", "0")
                },
                "returnees",
            ),
            (
                HouseholdInput {
                    countries: "France".into(),
                    ..input("Tinfat", "3", "1")
                },
                "countries",
            ),
            (
                HouseholdInput {
                    countries: "FR".into(),
                    ..input("Tinfat", "3", "0")
                },
                "countries",
            ),
            (
                HouseholdInput {
                    noted_on: "2999-01-01".into(),
                    ..input("Tinfat", "3", "1")
                },
                "noted_on",
            ),
            (
                HouseholdInput {
                    source: "rumour".into(),
                    ..input("Tinfat", "3", "1")
                },
                "source",
            ),
        ] {
            assert_eq!(i.check(&names, TODAY).unwrap_err().field, field);
        }
    }
}
