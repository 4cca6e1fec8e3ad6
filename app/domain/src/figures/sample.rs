//! A commune's activity drawn from a seed: the one generator behind `baom demo
//! --year-of-activity` (which writes it into an empty demo), the figures' end-to-end test
//! (which sends it through the real API and counts what it sent on its own) and the figures'
//! benchmark (which loads a large commune with it). The same seed gives the same activity.
//!
//! Pure: no clock, no I/O. The caller gives the commune's lists (douars, needs, services) and
//! the days; what comes out is the register's codes, a ticket's times, a household of the
//! census and a kiosk vote, never a name (the demo makes its names up itself).

use super::census::{Household, Source};
use super::register::{AgeBand, Entry, NationalityGroup, VisitOutcome, VisitorProfile};
use crate::dossier::person::Sex;
use crate::feedback::{Rating, Reason};
use jiff::civil::Date;

/// A fixed xorshift generator.
#[derive(Debug, Clone)]
pub struct Sample(u64);

/// A visit as the register counts it: [`Entry`]'s fields but the day and the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleVisit<'a> {
    pub sex: Sex,
    pub profile: VisitorProfile,
    pub age_band: AgeBand,
    pub nationality: NationalityGroup,
    pub douar: Option<&'a str>,
    pub need: &'a str,
    pub outcome: VisitOutcome,
}

/// A ticket's times, in seconds: its issue after the office opens, its wait to the first call,
/// its service; and whether the visitor did not come when called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleTicket {
    pub issued_after_opening: i64,
    pub wait: i64,
    pub service: i64,
    pub no_show: bool,
    pub priority: bool,
}

/// A kiosk vote, with the service the visitor said they came for (when they said).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleVote<'a> {
    pub rating: Rating,
    pub reason: Option<Reason>,
    pub service: Option<&'a str>,
}

impl Sample {
    pub fn new(seed: u64) -> Sample {
        // xorshift never leaves zero.
        Sample(seed.max(1))
    }

    pub fn draw(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// From 0 to `n - 1` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.draw() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `of` (which must not be empty).
    pub fn pick<T: Copy>(&mut self, of: &[T]) -> T {
        of[self.below(of.len() as u64) as usize]
    }

    /// One of the `days` days from `first`.
    pub fn day(&mut self, first: Date, days: u32) -> Date {
        let offset = self.below(u64::from(days)) as i64;
        first
            .checked_add(jiff::Span::new().days(offset))
            .unwrap_or(first)
    }

    /// A visit of a commune with `douars` (a visit's douar is unknown one time in
    /// `douars.len() + 1`) and `needs` (the reference's procedures or the broad categories).
    pub fn visit<'a>(&mut self, douars: &[&'a str], needs: &[&'a str]) -> SampleVisit<'a> {
        use AgeBand as A;
        use NationalityGroup as N;
        use VisitOutcome as O;
        use VisitorProfile as P;
        let douar = self.below(douars.len() as u64 + 1) as usize;
        SampleVisit {
            sex: if self.chance(45) {
                Sex::Female
            } else {
                Sex::Male
            },
            profile: self.pick(&[
                P::Abroad,
                P::Returnee,
                P::Dependant,
                P::Foreigner,
                P::Foreigner,
                P::Internal,
                P::Other,
            ]),
            age_band: self.pick(&[
                A::Under18,
                A::From18,
                A::From30,
                A::From30,
                A::From45,
                A::From60,
                A::From60,
                A::Unknown,
            ]),
            nationality: self.pick(&[
                N::Moroccan,
                N::Moroccan,
                N::Moroccan,
                N::SubSaharan,
                N::SubSaharan,
                N::Mena,
                N::Europe,
                N::Unknown,
            ]),
            douar: douars.get(douar).copied(),
            need: self.pick(needs),
            outcome: self.pick(&[
                O::Informed,
                O::Informed,
                O::Accompanied,
                O::Referred,
                O::DossierOpened,
                O::CaseFollowUp,
            ]),
        }
    }

    /// A ticket's times over an office day of `open_seconds`.
    pub fn ticket(&mut self, open_seconds: u64) -> SampleTicket {
        SampleTicket {
            issued_after_opening: self.below(open_seconds) as i64,
            wait: 60 * (1 + self.below(45)) as i64,
            service: 60 * (4 + self.below(20)) as i64,
            no_show: self.chance(7),
            priority: self.chance(10),
        }
    }

    /// A household of one of `douars` (none when there are none) noted on one of the `days`
    /// days from `first`.
    pub fn household(&mut self, douars: &[&str], first: Date, days: u32) -> Household {
        let douar = self.below(douars.len() as u64) as usize;
        let abroad = self.below(3) as u16;
        Household {
            douar: douars.get(douar).copied().unwrap_or_default().to_owned(),
            size: 2 + self.below(8) as u16,
            abroad,
            internal: self.below(2) as u16,
            returnees: self.below(2) as u16,
            foreigners: u16::from(self.chance(5)),
            countries: if abroad > 0 {
                let c = self.pick(&["FR", "ES", "BE", "NL", "IT", "FR,ES"]);
                c.split(',').map(str::to_owned).collect()
            } else {
                Vec::new()
            },
            source: self.pick(&[Source::Field, Source::Field, Source::Monograph]),
            noted_on: self.day(first, days),
        }
    }

    /// A vote; the visitor names one of `services` two times in three.
    pub fn vote<'a>(&mut self, services: &[&'a str]) -> SampleVote<'a> {
        use Rating as R;
        use Reason as W;
        SampleVote {
            rating: self.pick(&[R::Good, R::Good, R::Good, R::Neutral, R::Bad]),
            reason: self.chance(60).then(|| {
                self.pick(&[W::Waiting, W::Welcome, W::Explained, W::Documents, W::Place])
            }),
            service: (!services.is_empty() && self.chance(66)).then(|| self.pick(services)),
        }
    }
}

impl SampleVisit<'_> {
    /// The register's entry of this visit on `day` by `channel`.
    pub fn entry(&self, day: Date, channel: super::register::Channel) -> Entry {
        Entry {
            day,
            channel,
            sex: self.sex,
            profile: self.profile,
            age_band: self.age_band,
            nationality: self.nationality,
            douar: self.douar.map(str::to_owned),
            need: self.need.to_owned(),
            outcome: self.outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_same_seed_gives_the_same_commune() {
        let draw = |seed| {
            let mut s = Sample::new(seed);
            (0..50)
                .map(|_| s.visit(&["Tinfat", "Assaisse"], &["pension", "health"]))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn draws_stay_within_what_the_commune_has() {
        let mut s = Sample::new(0);
        let first = date(2026, 1, 1);
        let mut unknown_douar = 0;
        for _ in 0..1000 {
            let v = s.visit(&["Tinfat"], &["pension"]);
            assert!(v.douar.is_none_or(|d| d == "Tinfat"));
            unknown_douar += usize::from(v.douar.is_none());
            assert_eq!(v.need, "pension");
            let h = s.household(&["Tinfat"], first, 10);
            assert!(h.noted_on >= first && h.noted_on < date(2026, 1, 11));
            assert!((2..10).contains(&h.size));
            assert_eq!(h.countries.is_empty(), h.abroad == 0);
            let t = s.ticket(3600);
            assert!((0..3600).contains(&t.issued_after_opening) && t.wait >= 60);
            assert!(s.vote(&["A"]).service.is_none_or(|l| l == "A"));
            assert_eq!(s.vote(&[]).service, None);
        }
        assert!((300..700).contains(&unknown_douar), "{unknown_douar}");
    }
}
