//! The figures of a small commune whose every row is known.

use super::compute::{CaseFacts, ReferralFacts, TicketFacts, VisitFacts, VoteFacts};
use super::register::{AgeBand, Channel, Entry, NationalityGroup, VisitOutcome, VisitorProfile};
use super::*;
use crate::dossier::case::{Body, ReferralState};
use crate::dossier::person::{Profile, Sex};
use crate::feedback::{Rating, Reason};
use jiff::civil::{Date, date};
use std::collections::BTreeMap;

const TODAY: Date = date(2026, 12, 2);

fn visit(
    day: Date,
    sex: Sex,
    profile: VisitorProfile,
    outcome: VisitOutcome,
    by: &str,
) -> VisitFacts {
    VisitFacts {
        entry: Entry {
            day,
            channel: Channel::Ticket,
            sex,
            profile,
            age_band: AgeBand::From30,
            nationality: NationalityGroup::Moroccan,
            douar: Some("Ait Ali".into()),
            need: "pension".into(),
            outcome,
        },
        service: Some("A".into()),
        recorded_by: by.into(),
    }
}

fn facts() -> Facts {
    let mut visits = Vec::new();
    // 2026: 30 women and 20 men from abroad, 7 foreign women; one visit of 2025.
    for i in 0..30 {
        visits.push(visit(
            date(2026, 3, 1 + i % 28),
            Sex::Female,
            VisitorProfile::Abroad,
            VisitOutcome::Informed,
            "amina",
        ));
    }
    for i in 0..20 {
        visits.push(visit(
            date(2026, 5, 1 + i % 28),
            Sex::Male,
            VisitorProfile::Abroad,
            VisitOutcome::Referred,
            "youssef",
        ));
    }
    for _ in 0..7 {
        visits.push(visit(
            date(2026, 11, 3),
            Sex::Female,
            VisitorProfile::Foreigner,
            VisitOutcome::DossierOpened,
            "amina",
        ));
    }
    visits.push(visit(
        date(2025, 12, 31),
        Sex::Male,
        VisitorProfile::Abroad,
        VisitOutcome::Informed,
        "amina",
    ));
    let case = |person, sex, profile, opened: Date, closed: Option<Date>| CaseFacts {
        person,
        sex,
        profile,
        procedure: Some("pension-transfer".into()),
        opened_on: opened,
        closed_on: closed,
        follow_up_on: None,
        opened_by: "amina".into(),
        visit_days: vec![],
    };
    let mut cases = vec![
        // Opened in 2025, still open: handled in 2026.
        case(1, Sex::Female, Profile::Abroad, date(2025, 6, 1), None),
        // Closed in 2025: not handled in 2026.
        case(
            2,
            Sex::Male,
            Profile::Abroad,
            date(2025, 1, 1),
            Some(date(2025, 2, 1)),
        ),
    ];
    // Six foreign people, one of them with two cases; closed after 10 days each.
    for p in 10..16 {
        cases.push(case(
            p,
            Sex::Female,
            Profile::Foreigner,
            date(2026, 11, 3),
            Some(date(2026, 11, 13)),
        ));
    }
    cases.push(case(
        10,
        Sex::Female,
        Profile::Foreigner,
        date(2026, 11, 4),
        None,
    ));
    let referral = |state, day| ReferralFacts {
        body: Body::CivilRegistry,
        state,
        sent_on: day,
        sent_by: "amina".into(),
    };
    let mut referrals: Vec<ReferralFacts> = (0..8)
        .map(|_| referral(ReferralState::Done, date(2026, 11, 3)))
        .collect();
    referrals.extend((0..6).map(|_| referral(ReferralState::Sent, date(2026, 11, 20))));
    let tickets = (0..10)
        .map(|i| TicketFacts {
            day: date(2026, 6, 1),
            service: "A".into(),
            desk: Some(1),
            state: if i < 8 {
                "served".into()
            } else {
                "no_show".into()
            },
            hour: 9,
            wait_seconds: Some(60 * (i + 1)),
            service_seconds: (i < 8).then_some(300),
            // Called one after the other from 9:00, ten minutes apart; each served five minutes.
            called_at: Some(DAY_START + 600 * i),
            finished_at: (i < 8).then_some(DAY_START + 600 * i + 300),
        })
        .collect();
    let votes = (0..6)
        .map(|_| VoteFacts {
            day: date(2026, 6, 1),
            rating: Rating::Good,
            reason: Some(Reason::Welcome),
            service: Some("A".into()),
        })
        .collect();
    Facts {
        visits,
        visit_counts: vec![],
        cases,
        referrals,
        tickets,
        ticket_months: vec![],
        votes,
        targets: [("A".to_owned(), 5)].into(),
        services: vec!["A".into()],
        douars: vec!["Ait Ali".into()],
        households: (0..6)
            .map(|_| super::census::Household {
                douar: "Ait Ali".into(),
                size: 4,
                abroad: 1,
                internal: 0,
                returnees: 0,
                foreigners: 0,
                countries: vec!["FR".into()],
                source: super::census::Source::Field,
                noted_on: date(2026, 5, 1),
            })
            .collect(),
        douar_households: vec![("Ait Ali".into(), 100)],
        projects: local_projects(),
        activities: local_activities(),
        diaspora: local_diaspora(),
    }
}

/// Seven members abroad (six in an association), five in Casablanca; two associations; funds
/// offered, agreed and delivered, one offered after the year.
fn local_diaspora() -> DiasporaFacts {
    use crate::diaspora::{AssociationKind, ContributionState as S, Offer};
    let mut members: Vec<(bool, bool)> = (0..7).map(|i| (false, i < 6)).collect();
    members.extend([(true, false); 5]);
    // Five givers delivered 10 000 each; one gave five times 2 000 (agreed); one offered 99 000
    // after the year.
    let mut contributions: Vec<(i64, Offer, S, u64, Date)> = (0..5)
        .map(|i| (i, Offer::Funds, S::Delivered, 10_000, date(2026, 6, 1)))
        .collect();
    contributions.extend((0..5).map(|_| (9, Offer::Funds, S::Agreed, 2_000, date(2026, 7, 1))));
    contributions.push((8, Offer::Volunteering, S::Offered, 0, date(2026, 7, 1)));
    contributions.push((7, Offer::Funds, S::Offered, 99_000, date(2027, 1, 2)));
    DiasporaFacts {
        members,
        associations: vec![
            AssociationKind::MoroccansOfTheWorld,
            AssociationKind::ThirdCountryNationals,
        ],
        contributions,
    }
}

#[test]
fn the_diaspora_register_is_counted_not_named() {
    let year = Period::parse("2026", TODAY).unwrap();
    let f = compute(year, Scope::Office, &facts());
    let cell = |code: &str, row: &str, col: &str| {
        let t = f.table(code).unwrap_or_else(|| panic!("{code}"));
        let r = t.rows.iter().position(|x| x == row).expect("row");
        let c = t.cols.iter().position(|x| x == col).expect("col");
        t.cells[r][c]
    };
    assert_eq!(
        cell("diaspora.members", "abroad", "members"),
        Shown::Value(7)
    );
    assert_eq!(
        cell("diaspora.members", "abroad", "in_association"),
        Shown::Value(6)
    );
    assert_eq!(
        cell("diaspora.members", "internal", "members"),
        Shown::Value(5)
    );
    assert_eq!(
        cell("diaspora.contributions", "funds", "delivered"),
        Shown::Value(5)
    );
    assert_eq!(
        cell("diaspora.contributions", "funds", "agreed"),
        Shown::Value(5)
    );
    // Five pledges of one giver are one giver: the money table is hidden whole, totals too.
    let amounts = f.table("diaspora.amounts").expect("amounts");
    assert!(
        amounts
            .cells
            .iter()
            .flatten()
            .chain(&amounts.col_totals)
            .chain(std::iter::once(&amounts.total))
            .all(|v| *v == Shown::Hidden),
        "{amounts:?}"
    );
    // Without that giver, five givers each: shown; the offer after the year is not counted.
    let mut facts = facts();
    facts.diaspora.contributions.retain(|c| c.0 != 9);
    let f = compute(year, Scope::Office, &facts);
    let amounts = f.table("diaspora.amounts").expect("amounts");
    assert_eq!(amounts.total, Shown::Value(50_000));
}

/// Six water projects begun in 2026 (five open, one delivered) and a health project begun in
/// 2027, after the year: left out.
fn local_projects() -> Vec<ProjectFacts> {
    use crate::projects::{Sector, Status};
    let mut all: Vec<ProjectFacts> = (0..6)
        .map(|i| ProjectFacts {
            sector: Sector::Water,
            status: if i == 0 {
                Status::Delivered
            } else {
                Status::Open
            },
            started_on: date(2026, 3, 1),
            budget: 100_000,
            found: 10_000 * i,
        })
        .collect();
    all.push(ProjectFacts {
        sector: Sector::Health,
        status: Status::Open,
        started_on: date(2027, 2, 1),
        budget: 50_000,
        found: 0,
    });
    all
}

/// Six awareness days in 2026, each with 3 women and 2 men returnees, and one in 2025.
fn local_activities() -> Vec<ActivityFacts> {
    use crate::activities::{Attendance, Group, Kind};
    let mut attendance = Attendance::default();
    attendance.set(Sex::Female, Group::Profile(Profile::Returnee), 3);
    attendance.set(Sex::Male, Group::Profile(Profile::Returnee), 2);
    let mut all: Vec<ActivityFacts> = (1..=6)
        .map(|m| ActivityFacts {
            kind: Kind::AwarenessDay,
            on: date(2026, m, 10),
            attendance,
        })
        .collect();
    all.push(ActivityFacts {
        kind: Kind::Training,
        on: date(2025, 12, 1),
        attendance,
    });
    all
}

#[test]
fn local_development_counts_projects_by_sector_and_who_came_to_the_year_s_activities() {
    let year = Period::parse("2026", TODAY).unwrap();
    let f = compute(year, Scope::Office, &facts());
    let cell = |code: &str, row: &str, col: &str| {
        let t = f.table(code).unwrap_or_else(|| panic!("{code}"));
        let r = t.rows.iter().position(|x| x == row).expect("row");
        let c = t.cols.iter().position(|x| x == col).expect("col");
        t.cells[r][c]
    };
    for (code, row, col, want) in [
        ("projects.by_sector", "water", "open", Shown::Value(5)),
        ("projects.by_sector", "water", "delivered", Shown::Small),
        ("projects.by_sector", "health", "open", Shown::Value(0)),
        (
            "projects.money_by_sector",
            "water",
            "budget",
            Shown::Value(600_000),
        ),
        (
            "projects.money_by_sector",
            "water",
            "found",
            Shown::Value(150_000),
        ),
        (
            "activities.by_kind",
            "awareness_day",
            "count",
            Shown::Value(6),
        ),
        ("activities.by_kind", "training", "count", Shown::Value(0)),
        (
            "activities.attendance",
            "returnee",
            "female",
            Shown::Value(18),
        ),
        (
            "activities.attendance",
            "returnee",
            "male",
            Shown::Value(12),
        ),
    ] {
        assert_eq!(cell(code, row, col), want, "{code} {row} {col}");
    }
    // An officer's own figures leave the commune's local development out.
    let mine = compute(year, Scope::Officer("amina".into()), &facts());
    assert_eq!(
        mine.table("activities.attendance").map(|t| t.total),
        Some(Shown::Value(0))
    );
}

#[test]
fn the_year_gives_the_sentences_numbers() {
    let f = compute(
        Period::parse("2026", TODAY).unwrap(),
        Scope::Office,
        &facts(),
    );
    let h = &f.headline;
    assert_eq!(
        (h.visits, h.visits_women),
        (Shown::Value(57), Shown::Value(37))
    );
    assert_eq!(
        (h.dossiers, h.dossiers_women),
        (Shown::Value(8), Shown::Value(8))
    );
    assert_eq!(h.foreigners_accompanied, Shown::Value(6));
    assert_eq!(h.referrals, Shown::Value(14));
    assert_eq!(h.counter_referral_share, Some(8.0 / 14.0));
    assert_eq!(h.median_days_to_close, Some(10));
    assert_eq!(
        (h.migrant_households, h.douars_with_migrants),
        (Shown::Value(6), 1)
    );
    assert_eq!(h.migrant_household_share, Some(6.0));
    let by_outcome = f.table("visits.by_outcome").unwrap();
    let referred = by_outcome
        .rows
        .iter()
        .position(|r| r == "referred")
        .unwrap();
    assert_eq!(
        by_outcome.cells[referred],
        vec![Shown::Value(0), Shown::Value(20)]
    );
    assert!(!f.empty);
}

#[test]
fn times_are_medians_and_ninetieth_percentiles_over_tickets() {
    let f = compute(
        Period::parse("2026-06", TODAY).unwrap(),
        Scope::Office,
        &facts(),
    );
    let a = &f.times[0];
    assert_eq!((a.group.as_str(), a.called, a.served), ("A", 10, 8));
    // Waits 1..=10 minutes: median 5 min, p90 9 min; 5 of 10 within the 5-minute target.
    assert_eq!((a.wait_median, a.wait_p90), (Some(5), Some(9)));
    assert_eq!((a.service_median, a.service_p90), (Some(5), Some(5)));
    assert_eq!(
        (a.within_target, a.within_target_share),
        (Some(Shown::Value(5)), Some(0.5))
    );
    let t = f.table("tickets.by_service").unwrap();
    assert_eq!(t.cells[0][..2], [Shown::Value(8), Shown::Small]);
    let desk = &f.desks[0];
    assert_eq!((desk.served, desk.serving_seconds), (8, 8 * 300));
    // From the first call (9:00) to the last call (a no-show's, 10:30): 90 minutes, 40 of
    // them serving.
    assert_eq!((desk.days, desk.span_seconds), (1, 90 * 60));
    assert_eq!(desk.idle_seconds, 50 * 60);
    assert_eq!(f.hours[0].group, "09");
}

#[test]
fn an_officer_sees_their_own_visits_and_no_tickets() {
    let f = compute(
        Period::parse("2026", TODAY).unwrap(),
        Scope::Officer("youssef".into()),
        &facts(),
    );
    assert_eq!(f.headline.visits, Shown::Value(20));
    assert_eq!(f.headline.dossiers, Shown::Value(0));
    assert_eq!(f.times.last().unwrap().called, 0);
    assert_eq!(
        f.headline.migrant_households,
        Shown::Value(0),
        "the census is the office's"
    );
}

#[test]
fn a_period_with_nothing_recorded_is_empty() {
    let f = compute(
        Period::parse("2024", TODAY).unwrap(),
        Scope::Office,
        &facts(),
    );
    assert!(f.empty);
    assert_eq!(f.headline.visits, Shown::Value(0));
}

#[test]
fn quantiles_need_five_values() {
    assert_eq!(compute::quantile(&[1, 2, 3, 4], 0.5), None);
    assert_eq!(compute::quantile(&[1, 2, 3, 4, 5], 0.5), Some(3));
    assert_eq!(compute::quantile(&[1, 2, 3, 4, 5], 0.9), Some(5));
}

/// 2026-06-01 09:00 UTC.
const DAY_START: i64 = 1_780_304_400;

#[test]
fn a_follow_up_is_kept_by_a_visit_close_to_its_date() {
    let due = date(2026, 11, 10);
    let case = |visits: Vec<Date>| CaseFacts {
        person: 1,
        sex: Sex::Female,
        profile: Profile::Abroad,
        procedure: None,
        opened_on: date(2026, 10, 1),
        closed_on: None,
        follow_up_on: Some(due),
        opened_by: "amina".into(),
        visit_days: visits,
    };
    assert!(case(vec![date(2026, 11, 10)]).follow_up_kept());
    assert!(
        case(vec![date(2026, 11, 8)]).follow_up_kept(),
        "two days early"
    );
    assert!(
        case(vec![date(2026, 11, 17)]).follow_up_kept(),
        "a week late"
    );
    assert!(!case(vec![date(2026, 11, 18)]).follow_up_kept());
    assert!(
        !case(vec![date(2026, 10, 1)]).follow_up_kept(),
        "the visit that set it"
    );
    assert!(!case(vec![]).follow_up_kept());
    let cases: Vec<CaseFacts> = (0..12)
        .map(|i| case(if i < 7 { vec![due] } else { vec![] }))
        .collect();
    let f = compute(
        Period::parse("2026-11", TODAY).unwrap(),
        Scope::Office,
        &Facts {
            cases,
            ..Facts::default()
        },
    );
    let t = f.table("cases.follow_ups").unwrap();
    assert_eq!(t.rows, ["due", "kept", "overdue"]);
    let col: Vec<Shown> = t.cells.iter().map(|r| r[0]).collect();
    // Overdue: still open, its date past, and the person did not come.
    assert_eq!(col, [Shown::Value(12), Shown::Value(7), Shown::Value(5)]);
}

#[test]
fn votes_are_counted_by_service_and_month() {
    let f = compute(
        Period::parse("2026", TODAY).unwrap(),
        Scope::Office,
        &facts(),
    );
    let t = f.table("feedback.by_service").unwrap();
    assert_eq!(t.rows, ["A", "none"]);
    assert_eq!(t.cells[0][0], Shown::Value(6));
    let t = f.table("feedback.by_month").unwrap();
    let june = t.rows.iter().position(|r| r == "2026-06").unwrap();
    assert_eq!(t.cells[june][0], Shown::Value(6));
}

#[test]
fn visits_counted_by_month_give_the_figures_their_rows_give() {
    use super::compute::VisitCount;
    use super::sample::Sample;
    let mut sample = Sample::new(7);
    let douars = ["Ait Ali", "Tinfat", "Ifri"];
    let needs = [
        "pension",
        "health",
        "survivor-pension-france",
        "child-birth",
    ];
    let visits: Vec<VisitFacts> = (0..3_000)
        .map(|_| {
            let v = sample.visit(&douars, &needs);
            let channel = sample.pick(&[Channel::Ticket, Channel::Phone, Channel::WalkIn]);
            VisitFacts {
                entry: v.entry(sample.day(date(2025, 11, 1), 400), channel),
                service: sample
                    .chance(70)
                    .then(|| sample.pick(&["A", "B", "Z"]).to_owned()),
                recorded_by: sample.pick(&["amina", "youssef"]).to_owned(),
            }
        })
        .collect();
    let base = Facts {
        services: vec!["A".into(), "B".into()],
        douars: vec!["Ait Ali".into(), "Tinfat".into()],
        ..Facts::default()
    };
    let periods = [
        Period::parse("2026", TODAY).unwrap(),
        Period::parse("2026-Q2", TODAY).unwrap(),
        Period::parse("2026-03", TODAY).unwrap(),
        Period::parse("2026-03-14", TODAY).unwrap(),
        Period::between("2025-11-20", "2026-02-10", TODAY).unwrap(),
        Period::between("2026-01-01", "2026-11-30", TODAY).unwrap(),
    ];
    for period in periods {
        let (months, edges) = period.whole_months();
        let in_edges = |d: Date| edges.iter().any(|(a, z)| *a <= d && d <= *z);
        let in_months = |d: Date| months.is_some_and(|(a, z)| a <= d && d <= z.last_of_month());
        let split = Facts {
            visits: visits
                .iter()
                .filter(|v| in_edges(v.entry.day))
                .cloned()
                .collect(),
            // All the counts the store keeps: compute takes those of the period's whole months.
            visit_counts: VisitCount::of_visits(&visits),
            ..base.clone()
        };
        let rows = Facts {
            visits: visits.clone(),
            ..base.clone()
        };
        assert!(visits.iter().any(|v| in_months(v.entry.day)) || months.is_none());
        for scope in [Scope::Office, Scope::Officer("amina".into())] {
            let a = compute(period, scope.clone(), &rows);
            let b = compute(period, scope.clone(), &split);
            for code in [
                "visits.by_month",
                "visits.by_profile",
                "visits.by_age_band",
                "visits.by_nationality",
                "visits.by_douar",
                "visits.by_service",
                "visits.by_need",
                "visits.by_outcome",
                "visits.by_channel",
            ] {
                assert_eq!(a.table(code), b.table(code), "{period} {scope:?} {code}");
            }
            assert!(a.headline.visits.value().unwrap_or(0) > 0 || period.from == period.to);
            assert_eq!(a.headline, b.headline);
        }
    }
}

#[test]
fn tickets_tallied_by_month_give_the_figures_their_rows_give() {
    use super::sample::Sample;
    use super::tickets::TicketTally;
    let mut sample = Sample::new(3);
    let tickets: Vec<TicketFacts> = (0..2_000)
        .map(|_| {
            let day = sample.day(date(2025, 12, 1), 365);
            let t = sample.ticket(8 * 3600);
            let start = 1_760_000_000 + i64::from(day.day()) * 86_400;
            TicketFacts {
                day,
                service: sample.pick(&["A", "B"]).to_owned(),
                desk: Some(1 + sample.below(3) as u16),
                state: sample
                    .pick(&["served", "served", "no_show", "waiting"])
                    .to_owned(),
                hour: 8 + sample.below(8) as i8,
                wait_seconds: Some(t.wait),
                service_seconds: Some(t.service),
                called_at: Some(start + t.wait),
                finished_at: Some(start + t.wait + t.service),
            }
        })
        .collect();
    let base = Facts {
        services: vec!["A".into(), "B".into()],
        targets: [("A".to_owned(), 20)].into(),
        ..Facts::default()
    };
    let mut months: BTreeMap<Date, Vec<&TicketFacts>> = BTreeMap::new();
    for t in &tickets {
        months.entry(t.day.first_of_month()).or_default().push(t);
    }
    let tallies: Vec<(Date, TicketTally)> = months
        .into_iter()
        .map(|(m, ts)| (m, TicketTally::of(&ts)))
        .collect();
    for period in [
        Period::parse("2026", TODAY).unwrap(),
        Period::parse("2026-Q1", TODAY).unwrap(),
        Period::between("2025-12-10", "2026-03-20", TODAY).unwrap(),
        Period::parse("2026-05-05", TODAY).unwrap(),
    ] {
        let (_, edges) = period.whole_months();
        let rows = Facts {
            tickets: tickets.clone(),
            ..base.clone()
        };
        let split = Facts {
            tickets: tickets
                .iter()
                .filter(|t| edges.iter().any(|(a, z)| *a <= t.day && t.day <= *z))
                .cloned()
                .collect(),
            ticket_months: tallies.clone(),
            ..base.clone()
        };
        let a = compute(period, Scope::Office, &rows);
        let b = compute(period, Scope::Office, &split);
        assert_eq!(a.times, b.times, "{period}");
        assert_eq!(a.hours, b.hours, "{period}");
        assert_eq!(a.desks, b.desks, "{period}");
        assert_eq!(a.table("tickets.by_service"), b.table("tickets.by_service"));
        assert_eq!(a.empty, b.empty);
    }
}
