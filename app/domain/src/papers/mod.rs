//! The papers the office hands out and sends: the orientation slip ([`slip`]: where to go,
//! what to bring, the next step and when to come back, in the visitor's language with the
//! French beside it) and letters from templates ([`template`]: a supervisor's text with fields
//! filled from the person, the case and the commune; a field the dossier lacks is named before
//! anything is printed, never printed empty).
//!
//! Pure: the service gathers the values and the words; these rules decide what a paper says.

pub mod slip;
pub mod template;
