//! Services, desks and queue rules checked together as the domain's catalogue; a rule that spans
//! several fields (unique letters, desks serving known services…) is the catalogue's, and its
//! error is mapped back to the line of the field at fault.

use crate::desks::DeskSection;
use crate::error::{ConfigError, Source};
use crate::queue::QueueSection;
use crate::services::ServiceSection;
use baom_domain::catalogue::{Catalogue, CatalogueError};
use baom_domain::{Desk, Service};
use jiff::tz::TimeZone;

pub(crate) fn check(
    services: Vec<Service>,
    desks: Vec<Desk>,
    time_zone: TimeZone,
    raw: (&[ServiceSection], &[DeskSection], &QueueSection),
    src: Source,
) -> Result<Catalogue, ConfigError> {
    let (raw_services, raw_desks, raw_queue) = raw;
    Catalogue::new(services, desks, time_zone, raw_queue.rules()).map_err(|e| {
        let (span, field) = match &e {
            CatalogueError::NoServices => (0..0, "services".to_owned()),
            CatalogueError::NoDesks => (0..0, "desks".to_owned()),
            CatalogueError::DuplicateLetter { index, .. }
            | CatalogueError::ServiceWithoutDesk { index, .. } => (
                raw_services[*index].letter.span(),
                format!("services[{index}].letter"),
            ),
            CatalogueError::DuplicateDesk { index, .. } => (
                raw_desks[*index].number.span(),
                format!("desks[{index}].number"),
            ),
            CatalogueError::DeskWithoutServices { index, .. }
            | CatalogueError::DeskServesUnknown { index, .. } => (
                raw_desks[*index].services.span(),
                format!("desks[{index}].services"),
            ),
            CatalogueError::ZeroPriorityStreak => (
                raw_queue.max_priority_streak.span(),
                "queue.max_priority_streak".to_owned(),
            ),
            CatalogueError::ZeroRecentWindow => (0..0, "queue".to_owned()),
        };
        src.error(span, field, e)
    })
}
