//! The orientation slip: what a visitor takes away, on paper they can show. Where to go (the
//! body of the case's last referral, found in the directory for its address, hours and phone;
//! or the body in charge of the case's procedure), what to bring (the procedure's documents,
//! those already received ticked), the next step (the first of the procedure's steps not done)
//! and the day to come back (the case's follow-up). A case with nowhere to go has no slip.
//!
//! The words of each language are the service's; this decides what the slip says.

use crate::catalogue::Names;
use crate::directory::Partner;
use crate::dossier::Body;
use crate::reference::Procedure;
use jiff::civil::Date;

/// Where the visitor goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Where {
    /// The kind of body (for its name in each language when the directory has no partner).
    pub body: Body,
    /// The partner's own name (Latin script), or what the officer wrote of the body.
    pub name: String,
    pub name_ar: String,
    pub address: String,
    pub hours: String,
    pub phone: String,
    /// The reference's words for where to go, when it comes from the procedure.
    pub refer_to: Option<Names>,
}

/// A document to bring, and whether the office has it already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToBring {
    pub names: Names,
    pub received: bool,
}

/// What a slip says, in no language yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub to: Where,
    /// The procedure's name.
    pub procedure: Option<Names>,
    pub bring: Vec<ToBring>,
    pub next_step: Option<Names>,
    pub come_back: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlipError {
    #[error(
        "this case has nowhere to go yet: refer it to a body, or give it a procedure of the reference"
    )]
    NoBody,
}

/// The case as the slip needs it.
pub struct CaseFacts<'a> {
    pub procedure: Option<&'a Procedure>,
    /// The body and what was written of it, of the case's last referral still standing.
    pub referral: Option<(Body, &'a str)>,
    pub steps_done: &'a [String],
    pub documents_received: &'a [String],
    pub follow_up_on: Option<Date>,
}

/// The partner a referral names: the one whose name the officer's words start with (the
/// directory writes `<name> — <detail>`), else the only one of that kind handling the
/// procedure. Slips and letters find it alike.
pub fn partner<'p>(
    partners: &'p [Partner],
    body: Body,
    written: &str,
    procedure: Option<&Procedure>,
) -> Option<&'p Partner> {
    partners
        .iter()
        .filter(|p| p.kind == body)
        .find(|p| written == p.name || written.starts_with(&format!("{} — ", p.name)))
        .or_else(|| {
            let handling: Vec<&Partner> = partners
                .iter()
                .filter(|p| {
                    p.kind == body && procedure.is_some_and(|pr| p.procedures.contains(&pr.id))
                })
                .collect();
            (handling.len() == 1).then(|| handling[0])
        })
}

/// The slip of a case.
pub fn slip(case: &CaseFacts<'_>, partners: &[Partner]) -> Result<Slip, SlipError> {
    let to = match (case.referral, case.procedure) {
        (Some((body, written)), procedure) => match partner(partners, body, written, procedure) {
            Some(p) => Where {
                body,
                name: p.name.clone(),
                name_ar: p.name_ar.clone(),
                address: p.address.clone(),
                hours: p.hours.clone(),
                phone: p.phone.clone(),
                refer_to: None,
            },
            None => Where {
                body,
                name: written.to_owned(),
                name_ar: String::new(),
                address: String::new(),
                hours: String::new(),
                phone: String::new(),
                refer_to: None,
            },
        },
        (None, Some(p)) => {
            let found = partner(partners, p.body, "", Some(p));
            Where {
                body: p.body,
                name: found.map(|f| f.name.clone()).unwrap_or_default(),
                name_ar: found.map(|f| f.name_ar.clone()).unwrap_or_default(),
                address: found.map(|f| f.address.clone()).unwrap_or_default(),
                hours: found.map(|f| f.hours.clone()).unwrap_or_default(),
                phone: found.map(|f| f.phone.clone()).unwrap_or_default(),
                refer_to: Some(p.refer_to.clone()),
            }
        }
        (None, None) => return Err(SlipError::NoBody),
    };
    let procedure = case.procedure;
    Ok(Slip {
        to,
        procedure: procedure.map(|p| p.names.clone()),
        bring: procedure
            .map(|p| {
                p.documents
                    .iter()
                    .map(|d| ToBring {
                        names: d.names.clone(),
                        received: case.documents_received.contains(&d.id),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        next_step: procedure.and_then(|p| {
            p.steps
                .iter()
                .find(|s| !case.steps_done.contains(&s.id))
                .map(|s| s.names.clone())
        }),
        come_back: case.follow_up_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceFile;

    fn reference() -> Vec<Procedure> {
        let file: ReferenceFile =
            toml::from_str(include_str!("../../../reference/procedures.toml")).expect("starter");
        file.procedures
    }

    fn directory(procedure: &str) -> Vec<Partner> {
        vec![Partner {
            id: "civil-registry-taliouine".into(),
            kind: Body::CivilRegistry,
            name: "Bureau d'état civil de Taliouine".into(),
            name_ar: "مكتب الحالة المدنية".into(),
            address: "Centre, Taliouine".into(),
            phone: "0528 00 00 00".into(),
            hours: "lun.–ven. 8h30–16h30".into(),
            contact: String::new(),
            languages: vec![],
            procedures: vec![procedure.into()],
        }]
    }

    #[test]
    fn a_referred_case_goes_to_its_partner_with_its_papers_ticked() {
        let procs = reference();
        let p = &procs[0];
        let done = vec![p.steps[0].id.clone()];
        let received: Vec<String> = p.documents.iter().take(1).map(|d| d.id.clone()).collect();
        let written = "Bureau d'état civil de Taliouine — guichet 2";
        let s = slip(
            &CaseFacts {
                procedure: Some(p),
                referral: Some((Body::CivilRegistry, written)),
                steps_done: &done,
                documents_received: &received,
                follow_up_on: Some(jiff::civil::date(2026, 12, 15)),
            },
            &directory(&p.id),
        )
        .unwrap();
        assert_eq!(s.to.address, "Centre, Taliouine");
        assert_eq!(s.bring.len(), p.documents.len());
        assert!(s.bring[0].received);
        assert!(s.bring.iter().skip(1).all(|b| !b.received));
        assert_eq!(s.next_step.as_ref(), p.steps.get(1).map(|st| &st.names));
        assert_eq!(s.come_back, Some(jiff::civil::date(2026, 12, 15)));
    }

    #[test]
    fn a_case_with_nowhere_to_go_has_no_slip() {
        let s = slip(
            &CaseFacts {
                procedure: None,
                referral: None,
                steps_done: &[],
                documents_received: &[],
                follow_up_on: None,
            },
            &[],
        );
        assert_eq!(s, Err(SlipError::NoBody));
    }
}
