//! Services, desks and queue rules checked together as the domain's catalogue; a rule that spans
//! several fields (unique letters, desks serving known services…) is the catalogue's, and its
//! error is mapped back to the line of the field at fault (the field's name is the one the
//! LAN's settings forms use too: `office::catalogue_field`).

use crate::desks::DeskSection;
use crate::error::{ConfigError, Source};
use crate::office::catalogue_field;
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
        let (field, _) = catalogue_field(&e);
        let span = match &e {
            CatalogueError::NoServices | CatalogueError::NoDesks => 0..0,
            CatalogueError::DuplicateLetter { index, .. }
            | CatalogueError::ServiceWithoutDesk { index, .. } => {
                raw_services[*index].letter.span()
            }
            CatalogueError::DuplicateDesk { index, .. } => raw_desks[*index].number.span(),
            CatalogueError::DeskWithoutServices { index, .. }
            | CatalogueError::DeskServesUnknown { index, .. } => raw_desks[*index].services.span(),
            CatalogueError::RuleUnknownService { index, .. }
            | CatalogueError::RuleNotServed { index, .. }
            | CatalogueError::RuleRepeated { index, .. }
            | CatalogueError::RuleMinutes { index, .. } => raw_desks[*index].rules_span(),
            CatalogueError::ZeroPriorityStreak => raw_queue.max_priority_streak.span(),
            CatalogueError::ZeroRecentWindow => 0..0,
        };
        src.error(span, field, e)
    })
}
