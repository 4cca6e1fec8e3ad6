//! The queue's rules as examples, then its invariants as property tests.

use super::*;
use crate::catalogue::{CallRule, CatalogueError, Desk, Names, OpenHours, QueueRules, Service};
use jiff::ToSpan;
use jiff::civil::date;
use jiff::tz::TimeZone;
use proptest::prelude::*;

fn names(s: &str) -> Names {
    Names {
        ar: s.into(),
        zgh: s.into(),
        fr: s.into(),
        en: s.into(),
    }
}

fn letter(c: char) -> Letter {
    Letter::new(c).expect("test letters are valid")
}

/// Services A, B, C; desk 1 serves A and B, desk 2 serves A, desk 3 serves C.
fn catalogue(max_priority_streak: u32) -> Arc<Catalogue> {
    catalogue_with(max_priority_streak, false)
}

/// The same services; with `profiles`, desks follow work profiles: desk 1 prefers B to A but
/// takes A once its oldest has waited 20 minutes, desk 2 serves A by the longest wait, desk 3
/// prefers C to B but takes B after 5 minutes.
fn catalogue_with(max_priority_streak: u32, profiles: bool) -> Arc<Catalogue> {
    let service = |c| Service {
        letter: letter(c),
        names: names("s"),
        documents: vec![],
        procedures: vec![],
        hours: OpenHours::ALWAYS,
        target_wait_minutes: None,
    };
    let desk = |n, services: &str| {
        Desk::new(
            DeskNo(n),
            format!("Desk {n}"),
            services.chars().map(letter).collect(),
        )
    };
    let rules = QueueRules {
        max_priority_streak,
        ..QueueRules::default()
    };
    let listed = |n, services: &str, rule: (char, u16)| Desk {
        order: CallOrder::Listed,
        rules: vec![CallRule {
            service: letter(rule.0),
            waited_minutes: rule.1,
        }],
        ..desk(n, services)
    };
    let desks = if profiles {
        vec![
            listed(1, "BA", ('A', 20)),
            desk(2, "A"),
            listed(3, "CB", ('B', 5)),
        ]
    } else {
        vec![desk(1, "AB"), desk(2, "A"), desk(3, "C")]
    };
    let tz = TimeZone::get("Africa/Casablanca").expect("bundled tz data");
    Arc::new(
        Catalogue::new(
            vec![service('A'), service('B'), service('C')],
            desks,
            tz,
            rules,
        )
        .expect("valid catalogue"),
    )
}

/// 10:00 in Taliouine on a Monday.
fn morning() -> Timestamp {
    date(2026, 3, 2)
        .at(10, 0, 0, 0)
        .in_tz("Africa/Casablanca")
        .expect("valid local time")
        .timestamp()
}

struct Office {
    queue: Queue,
    now: Timestamp,
}

impl Office {
    fn new(max_priority_streak: u32) -> Office {
        Office::with(catalogue(max_priority_streak))
    }

    fn with(catalogue: Arc<Catalogue>) -> Office {
        let now = morning();
        Office {
            queue: Queue::new(catalogue.clone(), catalogue.local_day(now), TicketId(1)),
            now,
        }
    }

    fn run(&mut self, command: Command) -> Result<Event, QueueError> {
        self.now += 30.seconds();
        let event = self.queue.decide(&command, Some("amina"), self.now)?;
        self.queue.apply(&event);
        Ok(event)
    }

    fn issue(&mut self, service: char, priority: bool) -> Ticket {
        let event = self
            .run(Command::Issue {
                service: letter(service),
                priority,
                language: Language::French,
            })
            .expect("issue");
        *self.queue.ticket(event.ticket).expect("issued ticket")
    }

    fn check_in(&mut self, service: char, slot_minute: u16) -> Ticket {
        let event = self
            .run(Command::CheckIn {
                service: letter(service),
                priority: false,
                language: Language::Arabic,
                slot_minute,
            })
            .expect("check in");
        *self.queue.ticket(event.ticket).expect("issued ticket")
    }

    fn call_next(&mut self, desk: u16) -> Result<Ticket, QueueError> {
        let event = self.run(Command::CallNext { desk: DeskNo(desk) })?;
        Ok(*self.queue.ticket(event.ticket).expect("called ticket"))
    }

    fn finish(&mut self, t: &Ticket, desk: u16) {
        self.run(Command::Finish {
            ticket: t.id,
            desk: DeskNo(desk),
        })
        .expect("finish");
    }
}

#[test]
fn numbers_are_per_service_and_restart_each_local_day() {
    let mut office = Office::new(3);
    assert_eq!(office.issue('A', false).number.to_string(), "A-001");
    assert_eq!(office.issue('B', false).number.to_string(), "B-001");
    assert_eq!(office.issue('A', true).number.to_string(), "A-002");

    // 23:59:50 local: still the same day. Ten minutes later: a new day, new numbers, new ids.
    let late = date(2026, 3, 2)
        .at(23, 59, 50, 0)
        .in_tz("Africa/Casablanca")
        .expect("local")
        .timestamp();
    let e = office
        .queue
        .decide(
            &Command::Issue {
                service: letter('A'),
                priority: false,
                language: Language::Arabic,
            },
            None,
            late,
        )
        .expect("issue");
    office.queue.apply(&e);
    let next = late + 10.minutes();
    let err = office.queue.decide(
        &Command::Issue {
            service: letter('A'),
            priority: false,
            language: Language::Arabic,
        },
        None,
        next,
    );
    assert!(matches!(err, Err(QueueError::DayChanged { .. })));
    office
        .queue
        .roll_over(office.queue.catalogue().local_day(next));
    let e = office
        .queue
        .decide(
            &Command::Issue {
                service: letter('A'),
                priority: false,
                language: Language::Arabic,
            },
            None,
            next,
        )
        .expect("issue");
    office.queue.apply(&e);
    let t = office.queue.ticket(e.ticket).expect("ticket");
    assert_eq!(t.number.to_string(), "A-001");
    assert_eq!(t.id, TicketId(5));
}

#[test]
fn local_midnight_follows_the_casablanca_offset_not_utc() {
    let catalogue = catalogue(3);
    // 23:30 UTC on 2 April is already 3 April in Morocco (UTC+1 outside Ramadan).
    let t = date(2026, 4, 2)
        .at(23, 30, 0, 0)
        .in_tz("UTC")
        .expect("utc")
        .timestamp();
    assert_eq!(catalogue.local_day(t), date(2026, 4, 3));
    // During Ramadan 2026 (mid-February to late March) Morocco moves to UTC+0.
    let t = date(2026, 3, 2)
        .at(23, 30, 0, 0)
        .in_tz("UTC")
        .expect("utc")
        .timestamp();
    assert_eq!(catalogue.local_day(t), date(2026, 3, 2));
}

#[test]
fn priority_goes_first_but_ordinary_tickets_are_passed_at_most_the_bound() {
    let mut office = Office::new(2);
    let ordinary = office.issue('A', false);
    let p: Vec<Ticket> = (0..4).map(|_| office.issue('A', true)).collect();
    let mut order = Vec::new();
    for _ in 0..5 {
        let t = office.call_next(2).expect("a ticket waits");
        order.push(t.id);
        office.finish(&t, 2);
    }
    assert_eq!(order, vec![p[0].id, p[1].id, ordinary.id, p[2].id, p[3].id]);
}

#[test]
fn a_priority_ticket_issued_before_does_not_count_as_passing() {
    let mut office = Office::new(1);
    let early_priority = office.issue('A', true);
    let ordinary = office.issue('A', false);
    let late_priority = office.issue('A', true);
    let first = office.call_next(2).expect("call");
    assert_eq!(first.id, early_priority.id);
    assert_eq!(office.queue.ticket(ordinary.id).expect("t").passed, 0);
    office.finish(&first, 2);
    assert_eq!(office.call_next(2).expect("call").id, late_priority.id);
    assert_eq!(office.queue.ticket(ordinary.id).expect("t").passed, 1);
}

#[test]
fn a_desk_follows_its_profile_then_its_rules_then_the_bound() {
    // Desk 1 lists B before A and takes A once A's oldest has waited 20 minutes.
    let mut office = Office::with(catalogue_with(3, true));
    let a1 = office.issue('A', false);
    let b1 = office.issue('B', false);
    let b2 = office.issue('B', false);
    let first = office.call_next(1).expect("call");
    assert_eq!(first.id, b1.id, "B is listed first, though A waited longer");
    office.finish(&first, 1);
    office.now += 21.minutes();
    let second = office.call_next(1).expect("call");
    assert_eq!(second.id, a1.id, "A's oldest waited more than 20 minutes");
    office.finish(&second, 1);
    assert_eq!(office.call_next(1).expect("call").id, b2.id);
}

#[test]
fn a_listed_order_cannot_starve_a_service_past_the_bound() {
    // K = 2: A-001 is passed by two B tickets at desk 1, then must be called.
    let mut office = Office::with(catalogue_with(2, true));
    let a = office.issue('A', false);
    let mut order = Vec::new();
    for _ in 0..3 {
        office.issue('B', false);
    }
    for _ in 0..3 {
        let t = office.call_next(1).expect("call");
        order.push(t.number.to_string());
        office.finish(&t, 1);
    }
    assert_eq!(order, ["B-001", "B-002", "A-001"]);
    assert!(office.queue.ticket(a.id).is_some());
}

#[test]
fn appointments_on_time_go_ahead_of_walk_ins_but_not_of_priority() {
    let mut office = Office::new(3);
    let walk_in = office.issue('A', false);
    let later_slot = office.check_in('A', 11 * 60);
    let earlier_slot = office.check_in('A', 10 * 60 + 30);
    let priority = office.issue('A', true);
    assert_eq!(
        office.queue.ahead(earlier_slot.id),
        1,
        "only the priority ticket"
    );
    assert_eq!(office.queue.ahead(walk_in.id), 3);
    let order: Vec<TicketId> = (0..4)
        .map(|_| {
            let t = office.call_next(2).expect("call");
            office.finish(&t, 2);
            t.id
        })
        .collect();
    assert_eq!(
        order,
        vec![priority.id, earlier_slot.id, later_slot.id, walk_in.id]
    );
}

#[test]
fn a_rule_naming_a_service_the_desk_does_not_serve_is_refused() {
    let service = |c| Service {
        letter: letter(c),
        names: names("s"),
        documents: vec![],
        procedures: vec![],
        hours: OpenHours::ALWAYS,
        target_wait_minutes: None,
    };
    let with_rule = |services: &str, rule: char, minutes| {
        Catalogue::new(
            vec![service('A'), service('B')],
            vec![
                Desk {
                    rules: vec![CallRule {
                        service: letter(rule),
                        waited_minutes: minutes,
                    }],
                    ..Desk::new(DeskNo(1), "1", services.chars().map(letter).collect())
                },
                Desk::new(DeskNo(2), "2", vec![letter('B')]),
            ],
            TimeZone::UTC,
            QueueRules::default(),
        )
        .map(|_| ())
    };
    assert_eq!(with_rule("AB", 'B', 30), Ok(()));
    assert!(matches!(
        with_rule("A", 'B', 30),
        Err(CatalogueError::RuleNotServed { .. })
    ));
    assert!(matches!(
        with_rule("A", 'Z', 30),
        Err(CatalogueError::RuleUnknownService { .. })
    ));
    assert!(matches!(
        with_rule("AB", 'B', 0),
        Err(CatalogueError::RuleMinutes { .. })
    ));
}

#[test]
fn who_is_past_the_target_wait() {
    let mut office = Office::new(3);
    let a = office.issue('A', false);
    let targeted = Arc::new(
        Catalogue::new(
            office
                .queue
                .catalogue()
                .services()
                .iter()
                .map(|s| Service {
                    target_wait_minutes: (s.letter == letter('A')).then_some(15),
                    ..s.clone()
                })
                .collect(),
            office.queue.catalogue().desks().to_vec(),
            office.queue.catalogue().time_zone().clone(),
            QueueRules::default(),
        )
        .expect("valid"),
    );
    office.queue = office.queue.with_catalogue(targeted).expect("taken");
    office.issue('B', false);
    assert_eq!(office.queue.past_target(office.now).count(), 0);
    office.now += 16.minutes();
    let late: Vec<TicketId> = office.queue.past_target(office.now).map(|t| t.id).collect();
    assert_eq!(late, vec![a.id], "B has no target");
}

#[test]
fn a_desk_calls_only_its_services_and_holds_one_ticket() {
    let mut office = Office::new(3);
    let c = office.issue('C', false);
    assert_eq!(
        office.call_next(1),
        Err(QueueError::NoWaitingTicket(DeskNo(1)))
    );
    let called = office.call_next(3).expect("desk 3 serves C");
    assert_eq!(called.id, c.id);
    let second = office.issue('C', false);
    assert!(matches!(
        office.call_next(3),
        Err(QueueError::DeskBusy { .. })
    ));
    assert!(matches!(
        office.run(Command::Call {
            ticket: second.id,
            desk: DeskNo(1)
        }),
        Err(QueueError::DeskDoesNotServe { .. })
    ));
}

#[test]
fn calling_a_ticket_twice_is_refused_and_changes_nothing() {
    let mut office = Office::new(3);
    let t = office.issue('A', false);
    office
        .run(Command::Call {
            ticket: t.id,
            desk: DeskNo(2),
        })
        .expect("first call");
    let before = office.queue.tickets().to_vec();
    let err = office
        .run(Command::Call {
            ticket: t.id,
            desk: DeskNo(1),
        })
        .expect_err("second call");
    assert_eq!(err.code(), "invalid_state");
    assert_eq!(office.queue.tickets(), &before[..]);
}

#[test]
fn only_the_calling_desk_acts_on_a_called_ticket() {
    let mut office = Office::new(3);
    let t = office.issue('A', false);
    office.call_next(2).expect("call");
    let err = office
        .run(Command::Finish {
            ticket: t.id,
            desk: DeskNo(1),
        })
        .expect_err("other desk");
    assert_eq!(
        err,
        QueueError::WrongDesk {
            ticket: t.number,
            at: DeskNo(2),
            desk: DeskNo(1)
        }
    );
    office
        .run(Command::Recall {
            ticket: t.id,
            desk: DeskNo(2),
        })
        .expect("recall");
    office
        .run(Command::Start {
            ticket: t.id,
            desk: DeskNo(2),
        })
        .expect("start");
    assert!(matches!(
        office.run(Command::NoShow {
            ticket: t.id,
            desk: DeskNo(2)
        }),
        Err(QueueError::InvalidState { .. })
    ));
    office
        .run(Command::Finish {
            ticket: t.id,
            desk: DeskNo(2),
        })
        .expect("finish");
    let t = office.queue.ticket(t.id).expect("ticket");
    assert_eq!((t.state, t.calls), (TicketState::Served, 2));
}

#[test]
fn a_no_show_who_comes_back_can_be_called_again() {
    let mut office = Office::new(3);
    let t = office.issue('A', false);
    office.call_next(2).expect("call");
    office
        .run(Command::NoShow {
            ticket: t.id,
            desk: DeskNo(2),
        })
        .expect("no-show");
    assert_eq!(
        office.call_next(2),
        Err(QueueError::NoWaitingTicket(DeskNo(2)))
    );
    office
        .run(Command::Call {
            ticket: t.id,
            desk: DeskNo(1),
        })
        .expect("called again");
    assert_eq!(office.queue.at_desk(DeskNo(1)).map(|t| t.id), Some(t.id));
}

#[test]
fn a_transferred_ticket_keeps_its_place_by_issue_time() {
    let mut office = Office::new(3);
    let a = office.issue('A', false);
    let b1 = office.issue('B', false);
    let b2 = office.issue('B', false);
    office.call_next(2).expect("desk 2 calls A-001");
    assert_eq!(
        office
            .run(Command::Transfer {
                ticket: a.id,
                to: letter('A'),
                desk: Some(DeskNo(2))
            })
            .map(|_| ()),
        Err(QueueError::TransferToSameService(a.number, letter('A')))
    );
    office
        .run(Command::Transfer {
            ticket: a.id,
            to: letter('B'),
            desk: Some(DeskNo(2)),
        })
        .expect("transfer");
    let moved = office.queue.ticket(a.id).expect("ticket");
    assert_eq!(
        (
            moved.service,
            moved.state,
            moved.number.to_string().as_str()
        ),
        (letter('B'), TicketState::Waiting, "A-001")
    );
    assert_eq!(office.queue.ahead(b1.id), 1);
    let order: Vec<TicketId> = (0..3)
        .map(|_| {
            let t = office.call_next(1).expect("call");
            office.finish(&t, 1);
            t.id
        })
        .collect();
    assert_eq!(order, vec![a.id, b1.id, b2.id]);
}

#[test]
fn a_transfer_never_lets_a_newer_ticket_overtake_an_older_one() {
    // K = 1. C-001 is passed once at desk 3 (which serves only C), so it is due; then it moves
    // to A, where A-001 is older but was never passed. A-001 must still go first.
    let mut office = Office::new(1);
    let older = office.issue('A', false);
    let moved = office.issue('C', false);
    office.issue('C', true);
    let p = office
        .call_next(3)
        .expect("desk 3 calls the priority ticket");
    office.finish(&p, 3);
    assert_eq!(office.queue.ticket(moved.id).expect("t").passed, 1);
    office
        .run(Command::Transfer {
            ticket: moved.id,
            to: letter('A'),
            desk: None,
        })
        .expect("transfer");
    assert_eq!(office.call_next(2).expect("call").id, older.id);
}

#[test]
fn closed_and_unknown_services_issue_nothing() {
    let mut office = Office::new(3);
    let err = office.run(Command::Issue {
        service: letter('Z'),
        priority: false,
        language: Language::English,
    });
    assert_eq!(
        err.map(|_| ()),
        Err(QueueError::UnknownService(letter('Z')))
    );

    let weekdays = OpenHours::new(
        [true, true, true, true, true, false, false],
        jiff::civil::time(8, 30, 0, 0),
        16 * 60 + 30,
    )
    .expect("hours");
    let service = Service {
        letter: letter('A'),
        names: names("A"),
        documents: vec![],
        procedures: vec![],
        hours: weekdays,
        target_wait_minutes: None,
    };
    let desk = Desk::new(DeskNo(1), "1", vec![letter('A')]);
    let catalogue = Arc::new(
        Catalogue::new(
            vec![service],
            vec![desk],
            TimeZone::get("Africa/Casablanca").expect("tz"),
            QueueRules::default(),
        )
        .expect("catalogue"),
    );
    let sunday = date(2026, 3, 1)
        .at(10, 0, 0, 0)
        .in_tz("Africa/Casablanca")
        .expect("local")
        .timestamp();
    let queue = Queue::new(catalogue.clone(), catalogue.local_day(sunday), TicketId(1));
    let issue = Command::Issue {
        service: letter('A'),
        priority: false,
        language: Language::English,
    };
    assert_eq!(
        queue.decide(&issue, None, sunday),
        Err(QueueError::ServiceClosed(letter('A')))
    );
    let evening = date(2026, 3, 2)
        .at(16, 30, 0, 0)
        .in_tz("Africa/Casablanca")
        .expect("local")
        .timestamp();
    let queue = Queue::new(catalogue.clone(), catalogue.local_day(evening), TicketId(1));
    assert_eq!(
        queue.decide(&issue, None, evening),
        Err(QueueError::ServiceClosed(letter('A')))
    );
    assert!(queue.decide(&issue, None, evening - 1.minute()).is_ok());
}

#[test]
fn estimates_use_people_ahead_and_measured_service_times() {
    let mut office = Office::new(3);
    let first = office.issue('C', false);
    let second = office.issue('C', false);
    let priority = office.issue('C', true);
    assert_eq!(
        office.queue.estimate(second.id),
        Estimate {
            ahead: 2,
            wait_secs: 1200
        }
    );
    assert_eq!(office.queue.estimate(priority.id).ahead, 0);
    assert_eq!(office.queue.call_next_id(3, office.now), Some(priority.id));
    let t = office.call_next(3).expect("call");
    office.finish(&t, 3); // 30 s after the call
    assert_eq!(
        office.queue.estimate(second.id),
        Estimate {
            ahead: 1,
            wait_secs: 30
        }
    );
    assert_eq!(
        office.queue.estimate(first.id),
        Estimate {
            ahead: 0,
            wait_secs: 0
        }
    );
}

#[test]
fn the_daily_limit_is_refused_not_wrapped() {
    let mut office = Office::new(3);
    for _ in 0..TicketNumber::MAX_SEQ {
        office.issue('A', false);
    }
    let err = office.run(Command::Issue {
        service: letter('A'),
        priority: false,
        language: Language::French,
    });
    assert_eq!(
        err.map(|_| ()),
        Err(QueueError::DailyLimitReached(letter('A')))
    );
}

#[test]
fn ticket_numbers_parse_back_and_reject_nonsense() {
    let n: TicketNumber = "B-042".parse().expect("valid");
    assert_eq!(n.to_string(), "B-042");
    for bad in ["B42", "b-042", "B-42", "B-000", "BB-001", "B-1000", ""] {
        assert!(bad.parse::<TicketNumber>().is_err(), "{bad}");
    }
}

impl Queue {
    fn call_next_id(&self, desk: u16, now: Timestamp) -> Option<TicketId> {
        self.next_for(DeskNo(desk), now).map(|t| t.id)
    }
}

// ---- Property tests ----------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Issue {
        service: char,
        priority: bool,
    },
    CheckIn {
        service: char,
        slot_minute: u16,
    },
    CallNext {
        desk: u16,
    },
    /// Acts on the ticket at the desk, if any.
    Finish {
        desk: u16,
    },
    NoShow {
        desk: u16,
    },
    Transfer {
        desk: u16,
        to: char,
    },
    CancelWaiting {
        nth: usize,
    },
    Wait {
        secs: u16,
    },
    NextDay,
}

fn op() -> impl Strategy<Value = Op> {
    let service = prop::sample::select(vec!['A', 'B', 'C']);
    let desk = 1u16..=3;
    prop_oneof![
        6 => (service.clone(), any::<bool>()).prop_map(|(service, priority)| Op::Issue { service, priority }),
        2 => (service.clone(), 540u16..720).prop_map(|(service, slot_minute)| Op::CheckIn { service, slot_minute }),
        5 => desk.clone().prop_map(|desk| Op::CallNext { desk }),
        4 => desk.clone().prop_map(|desk| Op::Finish { desk }),
        1 => desk.clone().prop_map(|desk| Op::NoShow { desk }),
        1 => (desk, service).prop_map(|(desk, to)| Op::Transfer { desk, to }),
        1 => (0usize..8).prop_map(|nth| Op::CancelWaiting { nth }),
        2 => (0u16..900).prop_map(|secs| Op::Wait { secs }),
        1 => Just(Op::NextDay),
    ]
}

/// Runs an operation, checking the call-order rules whenever a desk calls next.
fn step(office: &mut Office, op: &Op, issued: &mut Vec<TicketId>) {
    let k = office.queue.catalogue().rules().max_priority_streak;
    match *op {
        Op::Issue { service, priority } => {
            let t = office.issue(service, priority);
            issued.push(t.id);
        }
        Op::CheckIn {
            service,
            slot_minute,
        } => {
            let t = office.check_in(service, slot_minute);
            issued.push(t.id);
        }
        Op::CallNext { desk } => {
            let before = office.queue.clone();
            let result = office.call_next(desk);
            if result.is_err() {
                assert_eq!(
                    before.tickets(),
                    office.queue.tickets(),
                    "a refused call-next changed the queue"
                );
            }
            if let Ok(called) = result {
                let d = before.catalogue().desk(DeskNo(desk)).expect("desk").clone();
                let waiting: Vec<&Ticket> = before
                    .tickets()
                    .iter()
                    .filter(|t| t.state == TicketState::Waiting && d.serves(t.service))
                    .collect();
                let was = before.ticket(called.id).expect("called ticket existed");
                assert_eq!(
                    was.state,
                    TicketState::Waiting,
                    "{} called twice",
                    called.number
                );
                // The bound: a call never passes a ticket that is already due.
                assert!(
                    !waiting.iter().any(|t| t.id < called.id && t.passed >= k),
                    "{} was called past a due ticket",
                    called.number
                );
                // Within a service and a kind of ticket, the order holds: issue order, and for
                // appointments slot then issue order unless the bound chose the ticket.
                let kind = |t: &Ticket| (t.priority, t.appointment.is_some());
                let ahead_in_kind = |t: &Ticket| match (t.appointment, was.appointment) {
                    (Some(a), Some(b)) if was.passed < k => (a, t.id) < (b, called.id),
                    _ => t.id < called.id,
                };
                let skipped = waiting.iter().any(|t| {
                    t.service == called.service && kind(t) == kind(was) && ahead_in_kind(t)
                });
                assert!(
                    !skipped,
                    "{} called before a ticket of its kind in its service that was ahead",
                    called.number
                );
            }
        }
        Op::Finish { desk } | Op::NoShow { desk } | Op::Transfer { desk, .. } => {
            let Some(t) = office.queue.at_desk(DeskNo(desk)).copied() else {
                return;
            };
            let command = match *op {
                Op::Finish { .. } => Command::Finish {
                    ticket: t.id,
                    desk: DeskNo(desk),
                },
                Op::NoShow { .. } => Command::NoShow {
                    ticket: t.id,
                    desk: DeskNo(desk),
                },
                Op::Transfer { to, .. } => Command::Transfer {
                    ticket: t.id,
                    to: letter(to),
                    desk: Some(DeskNo(desk)),
                },
                _ => unreachable!(),
            };
            // A transfer to its own service is refused; everything else here is allowed.
            let result = office.run(command);
            assert!(
                result.is_ok() || matches!(result, Err(QueueError::TransferToSameService(..))),
                "{result:?}"
            );
        }
        Op::CancelWaiting { nth } => {
            let waiting: Vec<TicketId> = office
                .queue
                .tickets()
                .iter()
                .filter(|t| t.state == TicketState::Waiting)
                .map(|t| t.id)
                .collect();
            if let Some(&id) = waiting.get(nth) {
                office
                    .run(Command::Cancel {
                        ticket: id,
                        desk: None,
                    })
                    .expect("cancel a waiting ticket");
            }
        }
        Op::Wait { secs } => office.now += (secs as i64).seconds(),
        Op::NextDay => {
            office.now += 24.hours();
            let day = office.queue.catalogue().local_day(office.now);
            office.queue.roll_over(day);
            issued.clear();
        }
    }
}

fn check_invariants(queue: &Queue, issued: &[TicketId]) {
    let k = queue.catalogue().rules().max_priority_streak;
    // No ticket lost or duplicated: today's tickets are exactly those issued today, once each.
    let ids: Vec<TicketId> = queue.tickets().iter().map(|t| t.id).collect();
    assert_eq!(
        ids, issued,
        "tickets lost, duplicated or out of issue order"
    );
    // Numbering strictly increasing, from 1, without gaps, per service and day.
    for c in ['A', 'B', 'C'] {
        let seqs: Vec<u16> = queue
            .tickets()
            .iter()
            .filter(|t| t.number.letter == letter(c))
            .map(|t| t.number.seq)
            .collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u16).collect::<Vec<_>>(),
            "numbering of {c}"
        );
    }
    // At most one ticket per desk; a ticket at a desk is of a service the desk serves.
    for d in queue.catalogue().desks() {
        let at: Vec<&Ticket> = queue
            .tickets()
            .iter()
            .filter(|t| t.state.is_at_desk() && t.desk == Some(d.number))
            .collect();
        assert!(
            at.len() <= 1,
            "desk {} holds {} tickets",
            d.number,
            at.len()
        );
    }
    // The bound on passing.
    for t in queue
        .tickets()
        .iter()
        .filter(|t| t.state == TicketState::Waiting)
    {
        assert!(t.passed <= k, "{} passed {} times", t.number, t.passed);
    }
}

#[test]
fn a_new_catalogue_is_taken_unless_it_drops_what_today_still_needs() {
    let mut office = Office::new(3);
    let a = office.issue('A', false);
    let c = office.issue('C', false);
    let tz = office.queue.catalogue().time_zone().clone();
    let service = |l| Service {
        letter: letter(l),
        names: names("s"),
        documents: vec![],
        procedures: vec![],
        hours: OpenHours::ALWAYS,
        target_wait_minutes: None,
    };
    let desk = |n, services: &str| {
        Desk::new(
            DeskNo(n),
            format!("Desk {n}"),
            services.chars().map(letter).collect(),
        )
    };
    let without_c = Arc::new(
        Catalogue::new(
            vec![service('A'), service('B'), service('D')],
            vec![desk(1, "ABD"), desk(2, "A")],
            tz.clone(),
            QueueRules::default(),
        )
        .expect("valid"),
    );
    // C has a ticket waiting: refused, and the queue is as it was.
    assert_eq!(
        office.queue.with_catalogue(without_c.clone()).unwrap_err(),
        CatalogueChangeError::ServiceInUse {
            letter: letter('C'),
            tickets: 1
        }
    );
    // Desk 3 holds C's ticket once called: removing the desk is refused too.
    let called = office.call_next(3).expect("call");
    assert_eq!(called.id, c.id);
    let keep_c = Arc::new(
        Catalogue::new(
            vec![service('A'), service('C')],
            vec![desk(1, "AC")],
            tz.clone(),
            QueueRules::default(),
        )
        .expect("valid"),
    );
    assert!(matches!(
        office.queue.with_catalogue(keep_c),
        Err(CatalogueChangeError::DeskInUse {
            desk: DeskNo(3),
            ..
        })
    ));
    office.finish(&called, 3);
    // Nothing depends on C or desk 3 any more: the new catalogue is taken, numbering goes on.
    office.queue = office.queue.with_catalogue(without_c).expect("taken");
    assert!(office.queue.ticket(a.id).is_some());
    let d = office.issue('D', false);
    assert_eq!(d.number.to_string(), "D-001");
    assert_eq!(office.issue('A', false).number.to_string(), "A-002");
    assert!(matches!(
        office.queue.decide(
            &Command::Issue {
                service: letter('C'),
                priority: false,
                language: Language::French
            },
            None,
            office.now
        ),
        Err(QueueError::UnknownService(_))
    ));
    let other_zone = Arc::new(
        Catalogue::new(
            vec![service('A'), service('B'), service('D')],
            vec![desk(1, "ABD")],
            TimeZone::UTC,
            QueueRules::default(),
        )
        .expect("valid"),
    );
    assert_eq!(
        office.queue.with_catalogue(other_zone).unwrap_err(),
        CatalogueChangeError::TimeZone
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_queue_keeps_its_invariants(k in 1u32..4, profiles: bool, ops in prop::collection::vec(op(), 0..120)) {
        let mut office = Office::with(catalogue_with(k, profiles));
        let mut issued = Vec::new();
        for op in &ops {
            step(&mut office, op, &mut issued);
            check_invariants(&office.queue, &issued);
        }
    }

    #[test]
    fn every_waiting_ticket_is_eventually_called(k in 1u32..4, profiles: bool, ops in prop::collection::vec(op(), 0..120)) {
        let mut office = Office::with(catalogue_with(k, profiles));
        let mut issued = Vec::new();
        for op in &ops {
            step(&mut office, op, &mut issued);
        }
        // Desks keep working (finish, call next) while no visitor arrives: everyone is reached.
        let waiting = office.queue.tickets().iter().filter(|t| t.state == TicketState::Waiting).count();
        for _ in 0..=(2 * waiting + 3) {
            for desk in 1..=3 {
                if let Some(t) = office.queue.at_desk(DeskNo(desk)).copied() {
                    office.finish(&t, desk);
                }
                let _ = office.call_next(desk);
            }
        }
        let left: Vec<String> = office.queue.tickets().iter().filter(|t| t.state == TicketState::Waiting).map(|t| t.number.to_string()).collect();
        prop_assert!(left.is_empty(), "never called: {:?}", left);
    }

    #[test]
    fn a_restored_day_is_the_day_that_was_stored(profiles: bool, ops in prop::collection::vec(op(), 0..80)) {
        let mut office = Office::with(catalogue_with(2, profiles));
        let mut issued = Vec::new();
        for op in &ops {
            step(&mut office, op, &mut issued);
        }
        let q = &office.queue;
        let restored = Queue::restore(q.catalogue().clone(), q.day(), q.tickets().to_vec(), q.next_id());
        prop_assert_eq!(restored.tickets(), q.tickets());
        prop_assert_eq!(restored.next_id(), q.next_id());
        for desk in 1..=3 {
            prop_assert_eq!(restored.next_for(DeskNo(desk), office.now).map(|t| t.id), q.next_for(DeskNo(desk), office.now).map(|t| t.id));
        }
        for t in q.tickets() {
            prop_assert_eq!(restored.estimate(t.id), q.estimate(t.id));
        }
        let issue = Command::Issue { service: letter('A'), priority: false, language: Language::French };
        prop_assert_eq!(restored.decide(&issue, None, office.now), q.decide(&issue, None, office.now));
    }
}
