//! Appointments: the slots an office can book for a follow-up visit, whether a booking fits,
//! and whether a visitor who shows their appointment at the kiosk is on time.
//!
//! Rules, in one place:
//! - A service's day is cut into slots of `slot_minutes` from its opening time; a slot must
//!   end by closing time, on a day the service is open.
//! - A slot holds one appointment per desk: the slot's appointments must each be given a desk of
//!   their own that serves their service (the one they name, when they name one), so a desk
//!   serving two services is one place; an officer holds one appointment per slot.
//! - A booking is for a slot that has not started yet and at most `max_days_ahead` days away.
//! - At the kiosk, a visitor is on time from `early_minutes` before the slot's start to
//!   `late_minutes` after it; outside that window the office takes them as a walk-in; on
//!   another day the appointment is refused (the visitor may still take an ordinary ticket).
//!
//! The service stores appointments and passes in those already booked; nothing here does I/O.

use crate::catalogue::{Catalogue, DeskNo, Letter};
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

/// The office's appointment settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRules {
    pub slot_minutes: u16,
    pub early_minutes: u16,
    pub late_minutes: u16,
    pub max_days_ahead: u16,
}

impl Default for SlotRules {
    fn default() -> Self {
        SlotRules {
            slot_minutes: 30,
            early_minutes: 30,
            late_minutes: 15,
            max_days_ahead: 120,
        }
    }
}

/// An appointment as booking needs to know it: when, for what, with whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub day: Date,
    /// The slot's start, minutes after local midnight.
    pub slot_minute: u16,
    pub service: Letter,
    pub desk: Option<DeskNo>,
    /// The officer's login, when the visitor is to see one person.
    pub officer: Option<String>,
}

/// Why a booking was refused. Each has a stable code for the API and the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("there is no service {0}")]
    UnknownService(Letter),
    #[error("there is no desk {0}")]
    UnknownDesk(DeskNo),
    #[error("desk {desk} does not serve service {service}")]
    DeskDoesNotServe { desk: DeskNo, service: Letter },
    #[error("{day} {slot} has already begun: book a slot still to come")]
    InThePast { day: Date, slot: String },
    #[error("{day} is more than {max} days away: book closer to the day")]
    TooFarAhead { day: Date, max: u16 },
    #[error("service {service} is closed on {day}")]
    ClosedThatDay { service: Letter, day: Date },
    #[error(
        "{slot} is not a slot of service {service}: its slots are {first} to {last}, every {every} minutes"
    )]
    NotASlot {
        service: Letter,
        slot: String,
        first: String,
        last: String,
        every: u16,
    },
    #[error("{day} {slot} is full for service {service} ({capacity} booked): choose another slot")]
    Full {
        day: Date,
        slot: String,
        service: Letter,
        capacity: usize,
    },
    #[error("{who} already has an appointment on {day} at {slot}: choose another slot")]
    Taken {
        who: String,
        day: Date,
        slot: String,
    },
}

impl BookingError {
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::UnknownService(_) => "unknown_service",
            BookingError::UnknownDesk(_) => "unknown_desk",
            BookingError::DeskDoesNotServe { .. } => "desk_does_not_serve",
            BookingError::InThePast { .. } => "slot_past",
            BookingError::TooFarAhead { .. } => "slot_too_far",
            BookingError::ClosedThatDay { .. } => "service_closed_that_day",
            BookingError::NotASlot { .. } => "not_a_slot",
            BookingError::Full { .. } => "slot_full",
            BookingError::Taken { .. } => "slot_taken",
        }
    }
}

/// `HH:MM` of minutes after midnight.
pub fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The slots of `service` on `day` (their starts, minutes after local midnight): none on a day
/// the service is closed or for an unknown service.
pub fn slots(catalogue: &Catalogue, rules: &SlotRules, service: Letter, day: Date) -> Vec<u16> {
    let Some(s) = catalogue.service(service) else {
        return Vec::new();
    };
    let hours = &s.hours;
    let step = rules.slot_minutes.max(1);
    if !hours.days[weekday_index(day.weekday())] {
        return Vec::new();
    }
    (hours.open_minute..hours.close_minute)
        .step_by(usize::from(step))
        .take_while(|start| start + step <= hours.close_minute)
        .collect()
}

/// How many appointments of `service` one slot holds: one per desk serving it.
pub fn capacity(catalogue: &Catalogue, service: Letter) -> usize {
    catalogue.desks_serving(service)
}

/// Whether `wanted` can be booked at `now`, given the appointments already `booked` (others
/// than this one, not cancelled).
pub fn check(
    catalogue: &Catalogue,
    rules: &SlotRules,
    wanted: &Booking,
    booked: &[Booking],
    now: Timestamp,
) -> Result<(), BookingError> {
    let service = catalogue
        .service(wanted.service)
        .ok_or(BookingError::UnknownService(wanted.service))?;
    if let Some(desk) = wanted.desk {
        let d = catalogue
            .desk(desk)
            .ok_or(BookingError::UnknownDesk(desk))?;
        if !d.serves(wanted.service) {
            return Err(BookingError::DeskDoesNotServe {
                desk,
                service: wanted.service,
            });
        }
    }
    let slot = clock(wanted.slot_minute);
    let local_now = now.to_zoned_datetime(catalogue.time_zone().clone());
    let today = local_now.date();
    let now_minute = local_now.hour() as u16 * 60 + local_now.minute() as u16;
    if wanted.day < today || (wanted.day == today && wanted.slot_minute <= now_minute) {
        return Err(BookingError::InThePast {
            day: wanted.day,
            slot,
        });
    }
    if today
        .until(wanted.day)
        .map(|span| span.get_days() > i32::from(rules.max_days_ahead))
        .unwrap_or(true)
    {
        return Err(BookingError::TooFarAhead {
            day: wanted.day,
            max: rules.max_days_ahead,
        });
    }
    let all = slots(catalogue, rules, wanted.service, wanted.day);
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return Err(BookingError::ClosedThatDay {
            service: wanted.service,
            day: wanted.day,
        });
    };
    if !all.contains(&wanted.slot_minute) {
        return Err(BookingError::NotASlot {
            service: service.letter,
            slot,
            first: clock(*first),
            last: clock(*last),
            every: rules.slot_minutes,
        });
    }
    let same_slot = || {
        booked
            .iter()
            .filter(|b| b.day == wanted.day && b.slot_minute == wanted.slot_minute)
    };
    if let Some(desk) = wanted.desk
        && same_slot().any(|b| b.desk == Some(desk))
    {
        return Err(BookingError::Taken {
            who: format!("desk {desk}"),
            day: wanted.day,
            slot,
        });
    }
    if let Some(officer) = &wanted.officer
        && same_slot().any(|b| b.officer.as_ref() == Some(officer))
    {
        return Err(BookingError::Taken {
            who: officer.clone(),
            day: wanted.day,
            slot,
        });
    }
    let capacity = capacity(catalogue, wanted.service);
    let mut held: Vec<&Booking> = same_slot().collect();
    held.push(wanted);
    if !each_has_a_desk(catalogue, &held) {
        return Err(BookingError::Full {
            day: wanted.day,
            slot,
            service: wanted.service,
            capacity,
        });
    }
    Ok(())
}

/// Whether the appointments of one slot can each be seen at a desk of their own that serves
/// their service (the desk they name, when they name one): a desk serving two services is one
/// place, not one per service. A matching by augmenting paths; a slot holds a few bookings and
/// an office a few desks.
fn each_has_a_desk(catalogue: &Catalogue, slot: &[&Booking]) -> bool {
    fn place(
        i: usize,
        slot: &[&Booking],
        desks: &[crate::catalogue::Desk],
        seen: &mut [bool],
        holder: &mut [Option<usize>],
    ) -> bool {
        for (j, d) in desks.iter().enumerate() {
            let fits = d.serves(slot[i].service) && slot[i].desk.is_none_or(|n| n == d.number);
            if fits && !seen[j] {
                seen[j] = true;
                if holder[j].is_none_or(|other| place(other, slot, desks, seen, holder)) {
                    holder[j] = Some(i);
                    return true;
                }
            }
        }
        false
    }
    let desks = catalogue.desks();
    let mut holder = vec![None; desks.len()];
    (0..slot.len()).all(|i| place(i, slot, desks, &mut vec![false; desks.len()], &mut holder))
}

/// How a visitor's arrival at the kiosk stands against their appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    OnTime,
    /// More than the window early: `minutes` before the slot's start.
    Early {
        minutes: u16,
    },
    /// More than the window late: `minutes` after the slot's start.
    Late {
        minutes: u16,
    },
    /// The appointment is for another day.
    OtherDay,
}

/// Whether someone arriving at `now` for the slot `slot_minute` of `day` is on time.
pub fn arrival(
    catalogue: &Catalogue,
    rules: &SlotRules,
    day: Date,
    slot_minute: u16,
    now: Timestamp,
) -> Arrival {
    let local = now.to_zoned_datetime(catalogue.time_zone().clone());
    if local.date() != day {
        return Arrival::OtherDay;
    }
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    if minute + rules.early_minutes < slot_minute {
        Arrival::Early {
            minutes: slot_minute - minute,
        }
    } else if minute > slot_minute + rules.late_minutes {
        Arrival::Late {
            minutes: minute - slot_minute,
        }
    } else {
        Arrival::OnTime
    }
}

fn weekday_index(day: Weekday) -> usize {
    day.to_monday_zero_offset() as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Desk, Names, OpenHours, QueueRules, Service};
    use jiff::civil::{date, time};
    use jiff::tz::TimeZone;

    fn letter(c: char) -> Letter {
        Letter::new(c).expect("letter")
    }

    /// A open Monday to Friday 08:30–16:30 at desks 1 and 2; B at desk 2 only.
    fn catalogue() -> Catalogue {
        let hours = OpenHours::new(
            [true, true, true, true, true, false, false],
            time(8, 30, 0, 0),
            16 * 60 + 30,
        )
        .expect("hours");
        let service = |c| Service {
            letter: letter(c),
            names: Names {
                ar: "s".into(),
                zgh: "s".into(),
                fr: "s".into(),
                en: "s".into(),
            },
            documents: vec![],
            procedures: vec![],
            hours: hours.clone(),
            target_wait_minutes: None,
        };
        Catalogue::new(
            vec![service('A'), service('B')],
            vec![
                Desk::new(DeskNo(1), "1", vec![letter('A')]),
                Desk::new(DeskNo(2), "2", vec![letter('A'), letter('B')]),
            ],
            TimeZone::get("Africa/Casablanca").expect("tz"),
            QueueRules::default(),
        )
        .expect("catalogue")
    }

    fn at(day: Date, h: i8, m: i8) -> Timestamp {
        day.at(h, m, 0, 0)
            .in_tz("Africa/Casablanca")
            .expect("local")
            .timestamp()
    }

    fn booking(day: Date, slot: u16, service: char) -> Booking {
        Booking {
            day,
            slot_minute: slot,
            service: letter(service),
            desk: None,
            officer: None,
        }
    }

    const MONDAY: Date = date(2026, 3, 2);
    const TUESDAY: Date = date(2026, 3, 3);

    #[test]
    fn slots_follow_opening_hours() {
        let c = catalogue();
        let s = slots(&c, &SlotRules::default(), letter('A'), MONDAY);
        assert_eq!(s.first().map(|m| clock(*m)).as_deref(), Some("08:30"));
        assert_eq!(s.last().map(|m| clock(*m)).as_deref(), Some("16:00"));
        assert_eq!(s.len(), 16);
        assert!(slots(&c, &SlotRules::default(), letter('A'), date(2026, 3, 7)).is_empty());
    }

    #[test]
    fn a_booking_is_refused_with_its_reason() {
        let c = catalogue();
        let rules = SlotRules::default();
        let now = at(MONDAY, 10, 0);
        let ok = booking(TUESDAY, 9 * 60, 'A');
        assert_eq!(check(&c, &rules, &ok, &[], now), Ok(()));
        let code = |b: &Booking, booked: &[Booking]| {
            check(&c, &rules, b, booked, now).map_err(|e| e.code())
        };
        assert_eq!(code(&booking(MONDAY, 9 * 60, 'A'), &[]), Err("slot_past"));
        assert_eq!(code(&booking(MONDAY, 10 * 60, 'A'), &[]), Err("slot_past"));
        assert_eq!(code(&booking(MONDAY, 10 * 60 + 30, 'A'), &[]), Ok(()));
        assert_eq!(
            code(&booking(date(2026, 3, 7), 9 * 60, 'A'), &[]),
            Err("service_closed_that_day")
        );
        assert_eq!(code(&booking(TUESDAY, 8 * 60, 'A'), &[]), Err("not_a_slot"));
        assert_eq!(
            code(&booking(TUESDAY, 16 * 60 + 30, 'A'), &[]),
            Err("not_a_slot")
        );
        assert_eq!(
            code(&booking(TUESDAY, 9 * 60 + 10, 'A'), &[]),
            Err("not_a_slot")
        );
        assert_eq!(
            code(&booking(date(2027, 3, 2), 9 * 60, 'A'), &[]),
            Err("slot_too_far")
        );
        assert_eq!(
            code(&booking(TUESDAY, 9 * 60, 'Z'), &[]),
            Err("unknown_service")
        );
        let at_desk = |d| Booking {
            desk: Some(DeskNo(d)),
            ..booking(TUESDAY, 9 * 60, 'B')
        };
        assert_eq!(code(&at_desk(1), &[]), Err("desk_does_not_serve"));
        assert_eq!(code(&at_desk(7), &[]), Err("unknown_desk"));
        // A is served at two desks: two appointments per slot; B at one.
        let one = [ok.clone()];
        let two = [ok.clone(), ok.clone()];
        assert_eq!(code(&ok, &one), Ok(()));
        assert_eq!(code(&ok, &two), Err("slot_full"));
        // Two A's hold both desks, so desk 2 has no room left for a B.
        assert_eq!(code(&booking(TUESDAY, 9 * 60, 'B'), &two), Err("slot_full"));
        assert_eq!(code(&booking(TUESDAY, 9 * 60, 'B'), &one), Ok(()));
        assert_eq!(
            code(
                &booking(TUESDAY, 9 * 60, 'B'),
                &[booking(TUESDAY, 9 * 60, 'B')]
            ),
            Err("slot_full")
        );
        assert_eq!(code(&at_desk(2), &[at_desk(2)]), Err("slot_taken"));
        // Desk 2 serves A and B: one A anywhere and one B at desk 2 leave no desk for a
        // second A, though A alone has two desks.
        let a_any = booking(TUESDAY, 9 * 60, 'A');
        assert_eq!(code(&a_any, &[a_any.clone(), at_desk(2)]), Err("slot_full"));
        assert_eq!(
            code(&at_desk(2), std::slice::from_ref(&a_any)),
            Ok(()),
            "A goes to desk 1"
        );
        let with = |who: &str| Booking {
            officer: Some(who.into()),
            ..ok.clone()
        };
        assert_eq!(code(&with("amina"), &[with("amina")]), Err("slot_taken"));
        assert_eq!(code(&with("amina"), &[with("youssef")]), Ok(()));
    }

    #[test]
    fn arrivals_inside_the_window_are_on_time() {
        let c = catalogue();
        let r = SlotRules::default();
        let slot = 10 * 60;
        let a = |h, m| arrival(&c, &r, MONDAY, slot, at(MONDAY, h, m));
        assert_eq!(a(9, 29), Arrival::Early { minutes: 31 });
        assert_eq!(a(9, 30), Arrival::OnTime);
        assert_eq!(a(10, 15), Arrival::OnTime);
        assert_eq!(a(10, 16), Arrival::Late { minutes: 16 });
        assert_eq!(
            arrival(&c, &r, TUESDAY, slot, at(MONDAY, 10, 0)),
            Arrival::OtherDay
        );
    }
}
