//! How an audit line reads to a person: its action in words and its details (`step=x done=true`,
//! `lines=85 broken_at=none`, as the store writes them) as labelled values in the reader's
//! language. The log keeps the machine form; only the pages turn it into sentences.

use crate::i18n::Tr;

/// The action's words (`person.read` → "fiche consultée"), or the code when none is known.
pub fn action(tr: Tr, action: &str) -> String {
    let key = format!("audit-{}", action.replace('.', "-"));
    let text = tr.t(&key);
    if text == key { action.to_owned() } else { text }
}

/// Lines a reader does not need in a dossier's own history: who looked at it is in the
/// supervisor's journal, and listing each look after every click drowns what was done.
pub fn is_a_look(action: &str) -> bool {
    action.ends_with(".read")
}

/// The details of a line, each `key=value` as "Label : value" joined by " · ". `name_of` gives
/// the reader's words for a step's or document's id (from the case's procedure), if known.
pub fn details(tr: Tr, detail: &str, name_of: &dyn Fn(&str, &str) -> Option<String>) -> String {
    detail
        .split_whitespace()
        .map(|part| match part.split_once('=') {
            Some((key, value)) => {
                let label_key = format!("audit-detail-{key}");
                let label = tr.t(&label_key);
                let value = value_words(tr, key, value, name_of);
                if label == label_key {
                    format!("{key} : {value}")
                } else {
                    tr.t2("audit-detail-pair", "label", &label, "value", &value)
                }
            }
            None => {
                let key = format!("audit-detail-{part}");
                let text = tr.t(&key);
                if text == key { part.to_owned() } else { text }
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn value_words(
    tr: Tr,
    key: &str,
    value: &str,
    name_of: &dyn Fn(&str, &str) -> Option<String>,
) -> String {
    let translated = |k: String| {
        let t = tr.t(&k);
        (t != k).then_some(t)
    };
    match key {
        "done" | "holds" => translated(format!("audit-value-{value}")),
        "reason" => translated(format!("audit-reason-{value}")),
        "broken_at" if value == "none" => translated("audit-value-none".into()),
        "body" => translated(format!("body-{value}")),
        "outcome" => translated(format!("outcome-{value}")),
        "purpose" => translated(format!("consent-purpose-{value}")),
        "step" | "document" => name_of(key, value),
        _ => None,
    }
    .unwrap_or_else(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use baom_domain::language::Language;

    #[test]
    fn details_read_as_words_in_each_language() {
        let fr = Tr(Language::French);
        let names = |kind: &str, id: &str| {
            (kind == "step" && id == "bank-account").then(|| "Compte bancaire".to_owned())
        };
        assert_eq!(
            details(fr, "step=bank-account done=true", &names),
            "Étape : Compte bancaire · Fait : oui"
        );
        assert_eq!(
            details(fr, "lines=85 broken_at=none", &names),
            "Lignes vérifiées : 85 · Altéré à la ligne : aucune"
        );
        assert_eq!(
            details(fr, "referral=3 body=cnss", &names),
            "Orientation : 3 · Organisme : CNSS"
        );
        // Unknown keys and flags stay readable as they are.
        assert_eq!(details(fr, "weird=1 flag", &names), "weird : 1 · flag");
        let ar = Tr(Language::Arabic);
        assert!(!details(ar, "done=false", &names).contains("false"));
        assert!(is_a_look("person.read") && !is_a_look("person.create"));
    }
}
