//! The list of cases (`baom_domain::dossier::listing`): open and closed cases filtered, sorted
//! and paged, with whether each is overdue (a follow-up or a referral's answer past its date);
//! and its export. Listing is a line in the log; the export (a file that leaves the box) holds
//! numbers and codes, never a name or a phone.

use super::db::{Db, Result};
use super::people;
use baom_domain::dossier::listing::{CaseFilter, Order, PAGE_SIZE, Status};
use jiff::civil::Date;
use rusqlite::ToSql;

#[derive(Debug, Clone)]
pub struct Row {
    pub case_id: i64,
    pub person_id: i64,
    /// The person's name (on the page only; the export leaves it out).
    pub person: String,
    pub need: String,
    pub procedure_id: Option<String>,
    pub status: String,
    pub opened_on: String,
    pub opened_by: String,
    pub closed_on: Option<String>,
    pub follow_up_on: Option<String>,
    pub overdue: bool,
    pub douar: Option<String>,
    pub sex: String,
    pub profile: String,
    /// The bodies the case was referred to, by code.
    pub bodies: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Listing {
    pub rows: Vec<Row>,
    /// Cases matching the filter, all pages.
    pub total: u64,
}

/// The `WHERE` clause and its parameters for `f`.
/// Named parameters of a statement.
type Params = Vec<(&'static str, Box<dyn ToSql>)>;

fn conditions(f: &CaseFilter, today: &str, me: &str) -> (String, Params) {
    let mut sql = vec!["p.merged_into IS NULL".to_owned()];
    let mut params: Params = vec![
        (":today", Box::new(today.to_owned())),
        (":me", Box::new(me.to_owned())),
    ];
    match f.status {
        Status::Open => sql.push("c.status = 'open'".into()),
        Status::Closed => sql.push("c.status = 'closed'".into()),
        Status::All => {}
    }
    if let Some(p) = &f.procedure {
        if p == "none" {
            sql.push("c.procedure_id IS NULL".into());
        } else {
            sql.push("c.procedure_id = :procedure".into());
            params.push((":procedure", Box::new(p.clone())));
        }
    }
    if let Some(b) = f.body {
        sql.push(
            "EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND r.body = :body)".into(),
        );
        params.push((":body", Box::new(b.as_str())));
    }
    if let Some(o) = &f.officer {
        sql.push("c.opened_by = :officer".into());
        params.push((":officer", Box::new(o.clone())));
    }
    if let Some(d) = &f.douar {
        sql.push("p.douar = :douar".into());
        params.push((":douar", Box::new(d.clone())));
    }
    if let Some(p) = f.profile {
        sql.push("p.profile = :profile".into());
        params.push((":profile", Box::new(p.as_str())));
    }
    if let Some(s) = f.sex {
        sql.push("p.sex = :sex".into());
        params.push((":sex", Box::new(s.as_str())));
    }
    if f.overdue {
        sql.push(format!("({OVERDUE})"));
    }
    if let Some(d) = f.from {
        sql.push("c.opened_on >= :from".into());
        params.push((":from", Box::new(d.to_string())));
    }
    if let Some(d) = f.to {
        sql.push("c.opened_on <= :to".into());
        params.push((":to", Box::new(d.to_string())));
    }
    (sql.join(" AND "), params)
}

/// An open case whose follow-up or a pending referral's answer is due by today.
const OVERDUE: &str = "c.status = 'open' AND (coalesce(c.follow_up_on <= :today, 0) OR EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND r.state IN ('sent', 'accepted') AND r.due_on <= :today))";

/// The parameters `stmt` names (the order's `:me` is not in the count, for one).
fn used<'a>(
    stmt: &rusqlite::Statement<'_>,
    params: &'a [(&'static str, Box<dyn ToSql>)],
) -> Vec<(&'static str, &'a dyn ToSql)> {
    params
        .iter()
        .filter(|(k, _)| matches!(stmt.parameter_index(k), Ok(Some(_))))
        .map(|(k, v)| (*k, v.as_ref()))
        .collect()
}

fn order(o: Order) -> &'static str {
    match o {
        Order::MineFirst => {
            "(c.opened_by = :me AND c.status = 'open') DESC, c.opened_on DESC, c.id DESC"
        }
        Order::Newest => "c.opened_on DESC, c.id DESC",
        Order::Oldest => "c.opened_on ASC, c.id ASC",
        Order::FollowUp => "c.follow_up_on IS NULL, c.follow_up_on ASC, c.id ASC",
    }
}

fn rows(
    db_tx: &rusqlite::Connection,
    f: &CaseFilter,
    today: &str,
    me: &str,
    page: Option<u32>,
    names: bool,
) -> Result<Vec<Row>> {
    let (clause, params) = conditions(f, today, me);
    let limit = match page {
        Some(p) => format!(
            " LIMIT {PAGE_SIZE} OFFSET {}",
            u64::from(p - 1) * u64::from(PAGE_SIZE)
        ),
        None => String::new(),
    };
    // The page's rows are picked first; their referrals and whether they are overdue are then
    // read for those rows only (not for every case the filter matches).
    let sql = format!(
        "SELECT c.id, c.person_id, c.need, c.procedure_id, c.status, c.opened_on, c.opened_by, c.closed_on,
                c.follow_up_on, c.douar, c.sex, c.profile,
                (SELECT group_concat(DISTINCT r.body) FROM referrals r WHERE r.case_id = c.id),
                ({OVERDUE})
         FROM (SELECT c.*, p.douar, p.sex, p.profile FROM cases c JOIN people p ON p.id = c.person_id
               WHERE {clause} ORDER BY {order}{limit}) c
         ORDER BY {order}",
        order = order(f.order)
    );
    let mut stmt = db_tx.prepare_cached(&sql)?;
    let named = used(&stmt, &params);
    let mut out = Vec::new();
    let mut q = stmt.query(named.as_slice())?;
    while let Some(r) = q.next()? {
        let bodies: Option<String> = r.get(12)?;
        out.push(Row {
            case_id: r.get(0)?,
            person_id: r.get(1)?,
            person: String::new(),
            need: r.get(2)?,
            procedure_id: r.get(3)?,
            status: r.get(4)?,
            opened_on: r.get(5)?,
            opened_by: r.get(6)?,
            closed_on: r.get(7)?,
            follow_up_on: r.get(8)?,
            douar: r.get(9)?,
            sex: r.get(10)?,
            profile: r.get(11)?,
            bodies: bodies
                .map(|b| b.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            overdue: r.get(13)?,
        });
    }
    drop(q);
    if names {
        for row in &mut out {
            row.person = people::load(db_tx, row.person_id)
                .map(|p| p.display_name())
                .unwrap_or_default();
        }
    }
    Ok(out)
}

/// One page of the list, for `actor` (whose own open cases come first by default).
pub fn list(db: &mut Db, actor: &str, f: &CaseFilter, today: Date) -> Result<Listing> {
    let today = today.to_string();
    db.act(actor, |a| {
        let (clause, params) = conditions(f, &today, actor);
        let sql = format!(
            "SELECT count(*) FROM cases c JOIN people p ON p.id = c.person_id WHERE {clause}"
        );
        let mut stmt = a.tx.prepare_cached(&sql)?;
        let named = used(&stmt, &params);
        let total: i64 = stmt.query_row(named.as_slice(), |r| r.get(0))?;
        drop(stmt);
        let rows = rows(a.tx, f, &today, actor, Some(f.page), true)?;
        a.log(
            "cases.list",
            None,
            None,
            format!("rows={} total={total}", rows.len()),
        );
        Ok(Listing {
            rows,
            total: total as u64,
        })
    })
}

/// Every case the filter matches, without names, for the export.
pub fn export(db: &mut Db, actor: &str, f: &CaseFilter, today: Date) -> Result<Vec<Row>> {
    let today = today.to_string();
    db.act(actor, |a| {
        let rows = rows(a.tx, f, &today, actor, None, false)?;
        a.log("cases.export", None, None, format!("rows={}", rows.len()));
        Ok(rows)
    })
}

/// The export as CSV (UTF-8 with a byte-order mark): numbers and codes, no name, no phone, and
/// not the need as typed (free text may name someone).
pub fn to_csv(rows: &[Row]) -> Vec<u8> {
    use crate::figures::export::csv_field;
    let mut out = String::from(
        "\u{feff}case,person,procedure,status,opened_on,opened_by,closed_on,follow_up_on,overdue,douar,sex,profile,referred_to\r\n",
    );
    for r in rows {
        let line = [
            r.case_id.to_string(),
            r.person_id.to_string(),
            r.procedure_id.clone().unwrap_or_default(),
            r.status.clone(),
            r.opened_on.clone(),
            r.opened_by.clone(),
            r.closed_on.clone().unwrap_or_default(),
            r.follow_up_on.clone().unwrap_or_default(),
            if r.overdue { "yes" } else { "no" }.to_owned(),
            r.douar.clone().unwrap_or_default(),
            r.sex.clone(),
            r.profile.clone(),
            r.bodies.join(" "),
        ];
        out.push_str(
            &line
                .iter()
                .map(|s| csv_field(s))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out.into_bytes()
}
