//! The words of the figures: a table's title, its rows and columns, in the reader's language
//! (the page, the XLSX and the CSV say the same). Codes stay beside the words in the exports.

use super::FiguresBook;
use crate::i18n::Tr;
use baom_domain::figures::register::NeedCategory;

pub struct Labels<'a> {
    pub tr: Tr,
    pub book: &'a FiguresBook,
}

impl Labels<'_> {
    pub fn table(&self, code: &str) -> String {
        self.tr.t(&format!("fig-{}", code.replace('.', "-")))
    }

    fn service(&self, letter: &str) -> String {
        let settings = self.book.settings();
        match settings
            .catalogue
            .services()
            .iter()
            .find(|s| s.letter.to_string() == letter)
        {
            Some(s) => format!("{letter} · {}", s.names.get(self.tr.language())),
            None => letter.to_owned(),
        }
    }

    fn need(&self, code: &str) -> String {
        if NeedCategory::parse(code).is_some() {
            return self.tr.t(&format!("need-{code}"));
        }
        if code == "none" {
            return self.tr.t("fig-no-procedure");
        }
        self.book
            .procedure_name(code, self.tr.language())
            .unwrap_or_else(|| code.to_owned())
    }

    pub fn row(&self, table: &str, row: &str) -> String {
        let t = self.tr;
        if row == "unknown" {
            return t.t("fig-unknown");
        }
        match table {
            "visits.by_profile" | "cases.handled_by_profile" | "people.accompanied_by_profile" => {
                t.t(&format!("profile-{row}"))
            }
            "visits.by_nationality" => t.t(&format!("nationality-{row}")),
            "visits.by_service" | "tickets.by_service" if row == "none" => t.t("fig-no-service"),
            "feedback.by_service" if row == "none" => t.t("fig-no-service-said"),
            "visits.by_service" | "tickets.by_service" | "feedback.by_service" => self.service(row),
            "visits.by_need" | "cases.handled_by_procedure" => self.need(row),
            "visits.by_outcome" => t.t(&format!("visit-outcome-{row}")),
            "visits.by_channel" => t.t(&format!("channel-{row}")),
            "cases.opened_closed" | "cases.follow_ups" => t.t(&format!("fig-{row}")),
            "referrals.by_body" => t.t(&format!("body-{row}")),
            "feedback.by_rating" => t.t(&format!("rating-{row}")),
            "tickets.wait_minutes" | "tickets.service_minutes" => t.t1("fig-minutes", "m", row),
            "cases.days_to_close" => t.t1("fig-days", "d", row),
            "projects.by_sector" | "projects.money_by_sector" => {
                t.t(&format!("project-sector-{row}"))
            }
            "activities.by_kind" => t.t(&format!("activity-kind-{row}")),
            "activities.attendance" if row == "other" => t.t("activity-group-other"),
            "activities.attendance" => t.t(&format!("profile-{row}")),
            "diaspora.members" if row == "internal" => t.t("diaspora-internal"),
            "diaspora.members" => t.t("fig-diaspora-abroad"),
            "diaspora.associations" => t.t(&format!("diaspora-kind-{row}")),
            "diaspora.contributions" | "diaspora.amounts" => t.t(&format!("diaspora-offer-{row}")),
            _ => row.to_owned(),
        }
    }

    pub fn col(&self, table: &str, col: &str) -> String {
        let t = self.tr;
        match (table, col) {
            (_, "female" | "male") => t.t(&format!("sex-{col}")),
            (_, "count") => t.t("fig-count"),
            ("census.members_by_douar", _) => t.t(&format!("census-col-{col}")),
            ("referrals.by_body", _) => t.t(&format!("referral-{col}")),
            ("tickets.by_service", "other") => t.t("fig-other"),
            ("tickets.by_service", _) => t.t(&format!("state-{col}")),
            ("feedback.by_rating", "none") => t.t("fig-no-reason"),
            ("feedback.by_rating", _) => t.t(&format!("reason-{col}")),
            ("feedback.by_service" | "feedback.by_month", _) => t.t(&format!("rating-{col}")),
            ("projects.by_sector", _) => t.t(&format!("project-status-{col}")),
            ("projects.money_by_sector", _) => t.t(&format!("fig-money-{col}")),
            ("diaspora.members", _) => t.t(&format!("fig-diaspora-{col}")),
            ("diaspora.contributions" | "diaspora.amounts", _) => {
                t.t(&format!("contribution-state-{col}"))
            }
            _ => col.to_owned(),
        }
    }

    pub fn total(&self) -> String {
        self.tr.t("fig-total")
    }
}
