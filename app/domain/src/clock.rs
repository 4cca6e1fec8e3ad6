//! The box's clock judged against what the office already recorded.
//!
//! A box may have no battery-backed clock and no network: after a power cut its clock can
//! start in the past. The service then never dates anything before the last thing it recorded
//! (its floor) and runs on from there with the time the box has been up ([`service_time`]), so
//! tickets stay numbered and dated in order; it says the clock is behind ([`ClockState`]) until
//! someone sets it ([`check_new_time`] is what a new time must respect).
//!
//! Pure: every time is an argument.

use jiff::{SignedDuration, Timestamp};

/// No box ran this program before this time (2025-01-01T00:00:00Z): the floor of a box that
/// has recorded nothing yet.
pub const EARLIEST: Timestamp = Timestamp::constant(1_735_689_600, 0);

/// How far behind its floor the clock may be before it is reported (an NTP step, a second).
pub const TOLERANCE: SignedDuration = SignedDuration::from_secs(120);

/// How far after the last recorded event a time may be set: a year and a day. Further is a
/// typing slip (the year), or a box that lay unused for a year (then set the clock by hand
/// from the console).
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_hours(366 * 24);

/// The time the service gives whoever asks: the system's clock, but never before the floor
/// (the last recorded event, plus the time the box has run since the floor was read) nor before
/// the last time it gave.
pub fn service_time(
    system: Timestamp,
    floor: Timestamp,
    running_since_floor: SignedDuration,
    last_given: Timestamp,
) -> Timestamp {
    let from_floor = floor
        .checked_add(running_since_floor)
        .unwrap_or(Timestamp::MAX);
    system.max(from_floor).max(last_given)
}

/// What the clock looks like to the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockState {
    /// The system's clock is the service's time.
    Right,
    /// The system's clock is behind what was recorded: the service dates from its floor.
    Behind { by: SignedDuration },
}

/// Whether the system's clock is behind the service's time by more than [`TOLERANCE`].
pub fn state(system: Timestamp, service: Timestamp) -> ClockState {
    let by = service.duration_since(system);
    if by > TOLERANCE {
        ClockState::Behind { by }
    } else {
        ClockState::Right
    }
}

/// Why a new time is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error(
        "{target} is before the last thing the office recorded ({last}): new records would come before old ones"
    )]
    BeforeLastEvent { target: Timestamp, last: Timestamp },
    #[error(
        "{target} is more than a year after the last thing the office recorded ({last}): check the year"
    )]
    FarAhead { target: Timestamp, last: Timestamp },
}

impl ClockError {
    pub fn code(&self) -> &'static str {
        match self {
            ClockError::BeforeLastEvent { .. } => "before_last_event",
            ClockError::FarAhead { .. } => "far_ahead",
        }
    }
}

/// A time someone wants to set, against the last recorded event: not before it (beyond
/// [`TOLERANCE`]), not more than [`MAX_AHEAD`] after it.
pub fn check_new_time(target: Timestamp, last_recorded: Timestamp) -> Result<(), ClockError> {
    if target.duration_since(last_recorded) < -TOLERANCE {
        return Err(ClockError::BeforeLastEvent {
            target,
            last: last_recorded,
        });
    }
    if target.duration_since(last_recorded) > MAX_AHEAD {
        return Err(ClockError::FarAhead {
            target,
            last: last_recorded,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn a_clock_in_the_past_gives_way_to_the_floor_and_its_running_time() {
        let floor = at("2026-03-02T10:00:00Z");
        let behind = at("2026-03-01T10:00:00Z");
        let t = service_time(behind, floor, SignedDuration::from_secs(90), EARLIEST);
        assert_eq!(t, at("2026-03-02T10:01:30Z"));
        assert_eq!(
            state(behind, t),
            ClockState::Behind {
                by: SignedDuration::from_secs(86_400 + 90)
            }
        );
        // Never before what it gave last, even if the clock steps back a little.
        let later = service_time(
            at("2026-03-02T10:05:00Z"),
            floor,
            SignedDuration::from_secs(1),
            EARLIEST,
        );
        let stepped_back = service_time(
            at("2026-03-02T10:04:58Z"),
            floor,
            SignedDuration::from_secs(2),
            later,
        );
        assert_eq!(stepped_back, later);
        assert_eq!(state(at("2026-03-02T10:04:58Z"), later), ClockState::Right);
        // A right clock is the service's time.
        let now = at("2026-03-03T08:00:00Z");
        assert_eq!(
            service_time(now, floor, SignedDuration::from_secs(5), floor),
            now
        );
    }

    #[test]
    fn a_new_time_stays_between_the_last_event_and_a_year_after() {
        let last = at("2026-03-02T10:00:00Z");
        assert_eq!(check_new_time(at("2026-03-02T09:59:00Z"), last), Ok(()));
        assert_eq!(check_new_time(at("2026-11-30T09:00:00Z"), last), Ok(()));
        let e = check_new_time(at("2026-03-01T10:00:00Z"), last).unwrap_err();
        assert_eq!(e.code(), "before_last_event");
        assert!(e.to_string().contains("2026-03-02T10:00:00Z"), "{e}");
        let e = check_new_time(at("2029-03-02T10:00:00Z"), last).unwrap_err();
        assert_eq!(e.code(), "far_ahead");
        assert!(e.to_string().contains("year"), "{e}");
    }
}
