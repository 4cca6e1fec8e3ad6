//! The register of visits: what is counted of every visit, with or without a dossier, and the
//! values each dimension takes. No name, no contact, no birth date: a sex, a profile, an age
//! band, a nationality group, a douar, the need and the outcome.
//!
//! A visit linked to a dossier takes these from the person ([`from_person`]); the officer
//! confirms them with a few taps. Codes are stable: the exports and the pooling format use them.

use crate::dossier::DossierError;
use crate::dossier::person::{BirthDate, Profile, Sex};
use jiff::civil::Date;
use std::fmt;

/// Generates a small enum of stable codes with `ALL`, `code()` and `parse()`.
macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// Its place in `ALL`.
            pub fn index(self) -> usize {
                self as usize
            }
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == s)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.code()) }
        }
    };
}

codes!(
    /// How the visit reached the office.
    Channel {
        /// A ticket from the kiosk, finished at a desk.
        Ticket = "ticket",
        /// A phone call.
        Phone = "phone",
        /// Met in the field (souk day, a douar).
        Field = "field",
        /// Came to the office without a ticket.
        WalkIn = "walk_in",
    }
);

codes!(
    /// The visitor's profile: the dossier's four, and the internal migrants the census counts.
    VisitorProfile {
        Abroad = "abroad",
        Returnee = "returnee",
        Dependant = "dependant",
        Foreigner = "foreigner",
        /// A migrant in another Moroccan city.
        Internal = "internal",
        Other = "other",
    }
);

codes!(
    AgeBand {
        Under18 = "0-17",
        From18 = "18-29",
        From30 = "30-44",
        From45 = "45-59",
        From60 = "60+",
        Unknown = "unknown",
    }
);

codes!(
    /// Nationalities grouped as the offices report them (never the country itself: a small
    /// office's one national of a country would be named by it).
    NationalityGroup {
        Moroccan = "moroccan",
        SubSaharan = "sub_saharan",
        /// North Africa and the Middle East, Morocco aside.
        Mena = "mena",
        Europe = "europe",
        Other = "other",
        Unknown = "unknown",
    }
);

codes!(
    /// What the visit came to.
    VisitOutcome {
        Informed = "informed",
        Accompanied = "accompanied",
        Referred = "referred",
        DossierOpened = "dossier_opened",
        /// Came back for a case already open.
        CaseFollowUp = "case_follow_up",
    }
);

codes!(
    /// The broad needs, when no procedure of the reference fits.
    NeedCategory {
        CivilStatus = "civil_status",
        Pension = "pension",
        Health = "health",
        Education = "education",
        Employment = "employment",
        Residence = "residence",
        Investment = "investment",
        Social = "social",
        Other = "other",
    }
);

codes!(
    /// What a visit is counted by, each table of visits one of them (and sex): the register's
    /// counts per month are kept per dimension.
    Dimension {
        Channel = "channel",
        Service = "service",
        Profile = "profile",
        AgeBand = "age_band",
        Nationality = "nationality",
        Douar = "douar",
        Need = "need",
        Outcome = "outcome",
    }
);

impl From<Profile> for VisitorProfile {
    fn from(p: Profile) -> Self {
        match p {
            Profile::Abroad => VisitorProfile::Abroad,
            Profile::Returnee => VisitorProfile::Returnee,
            Profile::Dependant => VisitorProfile::Dependant,
            Profile::Foreigner => VisitorProfile::Foreigner,
        }
    }
}

impl AgeBand {
    pub fn of_age(years: i16) -> AgeBand {
        match years {
            i16::MIN..=-1 => AgeBand::Unknown,
            0..=17 => AgeBand::Under18,
            18..=29 => AgeBand::From18,
            30..=44 => AgeBand::From30,
            45..=59 => AgeBand::From45,
            _ => AgeBand::From60,
        }
    }
}

/// Sub-Saharan Africa (ISO 3166 alpha-2).
const SUB_SAHARAN: &str = "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW MZ NA NE NG RW SC SD SL SN SO SS ST SZ TD TG TZ UG ZA ZM ZW";
/// North Africa and the Middle East, Morocco aside.
const MENA: &str = "AE BH DZ EG EH IL IQ IR JO KW LB LY OM PS QA SA SY TN TR YE";
const EUROPE: &str = "AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SK SM UA VA";

impl NationalityGroup {
    /// The group of an ISO 3166 alpha-2 code (as the dossier keeps nationality).
    pub fn of_country(code: &str) -> NationalityGroup {
        let code = code.trim().to_ascii_uppercase();
        let is_in = |list: &str| list.split(' ').any(|c| c == code);
        match code.as_str() {
            "" => NationalityGroup::Unknown,
            "MA" => NationalityGroup::Moroccan,
            _ if is_in(SUB_SAHARAN) => NationalityGroup::SubSaharan,
            _ if is_in(MENA) => NationalityGroup::Mena,
            _ if is_in(EUROPE) => NationalityGroup::Europe,
            _ => NationalityGroup::Other,
        }
    }
}

/// One visit in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub day: Date,
    pub channel: Channel,
    pub sex: Sex,
    pub profile: VisitorProfile,
    pub age_band: AgeBand,
    pub nationality: NationalityGroup,
    pub douar: Option<String>,
    /// A [`NeedCategory`] code or a procedure id of the reference.
    pub need: String,
    pub outcome: VisitOutcome,
}

/// A register entry as a form or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub channel: String,
    pub sex: String,
    pub profile: String,
    pub age_band: String,
    pub nationality: String,
    pub douar: String,
    pub need: String,
    pub outcome: String,
}

impl EntryInput {
    /// Checks every field against its codes, the commune's douars and the reference's
    /// procedures. `ticket` says whether the entry finishes a ticket (then its channel is
    /// `ticket`; without one it must be another).
    pub fn check(
        &self,
        day: Date,
        ticket: bool,
        douars: &[String],
        procedures: &[String],
    ) -> Result<Entry, DossierError> {
        fn pick<T>(
            field: &'static str,
            text: &str,
            parse: impl Fn(&str) -> Option<T>,
            codes: &[&str],
        ) -> Result<T, DossierError> {
            parse(text.trim()).ok_or_else(|| {
                DossierError::new(
                    if text.trim().is_empty() {
                        "missing_field"
                    } else {
                        "invalid_field"
                    },
                    field,
                    format!("{field} must be one of {}", codes.join(", ")),
                )
            })
        }
        let codes = |all: &[&'static str]| all.to_vec();
        let channel = if ticket && self.channel.trim().is_empty() {
            Channel::Ticket
        } else {
            pick(
                "channel",
                &self.channel,
                Channel::parse,
                &codes(&Channel::ALL.iter().map(|c| c.code()).collect::<Vec<_>>()),
            )?
        };
        if ticket != (channel == Channel::Ticket) {
            return Err(DossierError::new(
                "invalid_field",
                "channel",
                if ticket {
                    "a visit that finishes a ticket has the channel ticket"
                } else {
                    "a visit without a ticket is a phone call, a field visit or a walk-in"
                },
            ));
        }
        let sex = pick("sex", &self.sex, Sex::parse, &["female", "male"])?;
        let profile = pick(
            "profile",
            &self.profile,
            VisitorProfile::parse,
            &VisitorProfile::ALL
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>(),
        )?;
        let age_band = if self.age_band.trim().is_empty() {
            AgeBand::Unknown
        } else {
            pick(
                "age_band",
                &self.age_band,
                AgeBand::parse,
                &AgeBand::ALL.iter().map(|c| c.code()).collect::<Vec<_>>(),
            )?
        };
        let nationality = if self.nationality.trim().is_empty() {
            NationalityGroup::Unknown
        } else {
            pick(
                "nationality",
                &self.nationality,
                NationalityGroup::parse,
                &NationalityGroup::ALL
                    .iter()
                    .map(|c| c.code())
                    .collect::<Vec<_>>(),
            )?
        };
        let douar = match self.douar.trim() {
            "" => None,
            d if douars.iter().any(|known| known == d) => Some(d.to_owned()),
            d => {
                return Err(DossierError::new(
                    "unknown_douar",
                    "douar",
                    format!("{d:?} is not one of the commune's douars"),
                ));
            }
        };
        let need = self.need.trim();
        if NeedCategory::parse(need).is_none() && !procedures.iter().any(|p| p == need) {
            return Err(DossierError::new(
                if need.is_empty() {
                    "missing_field"
                } else {
                    "invalid_field"
                },
                "need",
                "need must be a procedure of the reference or one of civil_status, pension, health, education, employment, residence, investment, social, other",
            ));
        }
        let outcome = pick(
            "outcome",
            &self.outcome,
            VisitOutcome::parse,
            &VisitOutcome::ALL
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>(),
        )?;
        Ok(Entry {
            day,
            channel,
            sex,
            profile,
            age_band,
            nationality,
            douar,
            need: need.to_owned(),
            outcome,
        })
    }
}

/// What a dossier says of the register's fields: the form starts from these.
pub fn from_person(
    sex: Sex,
    profile: Profile,
    birth: Option<&BirthDate>,
    nationality: Option<&str>,
    douar: Option<&str>,
    today: Date,
) -> EntryInput {
    EntryInput {
        sex: sex.as_str().into(),
        profile: VisitorProfile::from(profile).code().into(),
        age_band: birth
            .map(|b| AgeBand::of_age(b.age_on(today)))
            .unwrap_or(AgeBand::Unknown)
            .code()
            .into(),
        nationality: nationality
            .map(NationalityGroup::of_country)
            .unwrap_or(NationalityGroup::Unknown)
            .code()
            .into(),
        douar: douar.unwrap_or_default().into(),
        ..EntryInput::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input() -> EntryInput {
        EntryInput {
            sex: "female".into(),
            profile: "foreigner".into(),
            age_band: "18-29".into(),
            nationality: "sub_saharan".into(),
            douar: "Ait Ali".into(),
            need: "civil_status".into(),
            outcome: "referred".into(),
            ..EntryInput::default()
        }
    }
    const DAY: Date = date(2026, 11, 24);

    #[test]
    fn a_ticket_visit_is_checked_field_by_field() {
        let douars = vec!["Ait Ali".to_owned()];
        let e = input().check(DAY, true, &douars, &[]).unwrap();
        assert_eq!(
            (e.channel, e.sex, e.outcome),
            (Channel::Ticket, Sex::Female, VisitOutcome::Referred)
        );
        let with_procedure = EntryInput {
            need: "birth-registration".into(),
            ..input()
        };
        assert!(
            with_procedure
                .check(DAY, true, &douars, &["birth-registration".into()])
                .is_ok()
        );
        for (field, broken) in [
            (
                "sex",
                EntryInput {
                    sex: "x".into(),
                    ..input()
                },
            ),
            (
                "profile",
                EntryInput {
                    profile: "".into(),
                    ..input()
                },
            ),
            (
                "age_band",
                EntryInput {
                    age_band: "old".into(),
                    ..input()
                },
            ),
            (
                "nationality",
                EntryInput {
                    nationality: "SN".into(),
                    ..input()
                },
            ),
            (
                "douar",
                EntryInput {
                    douar: "Atlantis".into(),
                    ..input()
                },
            ),
            (
                "need",
                EntryInput {
                    need: "birth-registration".into(),
                    ..input()
                },
            ),
            (
                "outcome",
                EntryInput {
                    outcome: "happy".into(),
                    ..input()
                },
            ),
            (
                "channel",
                EntryInput {
                    channel: "phone".into(),
                    ..input()
                },
            ),
        ] {
            let e = broken.check(DAY, true, &douars, &[]).unwrap_err();
            assert_eq!(e.field, field);
        }
    }

    #[test]
    fn a_visit_without_a_ticket_names_how_it_came() {
        let douars = vec!["Ait Ali".to_owned()];
        assert_eq!(
            input().check(DAY, false, &douars, &[]).unwrap_err().field,
            "channel"
        );
        let phone = EntryInput {
            channel: "phone".into(),
            ..input()
        };
        assert_eq!(
            phone.check(DAY, false, &douars, &[]).unwrap().channel,
            Channel::Phone
        );
        let ticket = EntryInput {
            channel: "ticket".into(),
            ..input()
        };
        assert_eq!(
            ticket.check(DAY, false, &douars, &[]).unwrap_err().field,
            "channel"
        );
    }

    #[test]
    fn a_dossier_gives_its_fields_grouped() {
        let birth = BirthDate::parse("1950", DAY).unwrap();
        let e = from_person(
            Sex::Male,
            Profile::Returnee,
            Some(&birth),
            Some("fr"),
            None,
            DAY,
        );
        assert_eq!(
            (
                e.age_band.as_str(),
                e.nationality.as_str(),
                e.profile.as_str()
            ),
            ("60+", "europe", "returnee")
        );
        assert_eq!(
            NationalityGroup::of_country("SN"),
            NationalityGroup::SubSaharan
        );
        assert_eq!(
            NationalityGroup::of_country("MA"),
            NationalityGroup::Moroccan
        );
        assert_eq!(NationalityGroup::of_country("DZ"), NationalityGroup::Mena);
        assert_eq!(NationalityGroup::of_country("BR"), NationalityGroup::Other);
        assert_eq!(AgeBand::of_age(17), AgeBand::Under18);
        assert_eq!(AgeBand::of_age(45), AgeBand::From45);
    }
}
