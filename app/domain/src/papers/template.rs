//! Letters from templates. A template is a text with fields written `{{ person.name }}`; the
//! fields are a fixed list ([`FIELDS`]) filled from the person, the case, the body it is
//! referred to and the commune, or, for a mail merge over the diaspora register, from each
//! member (and their dossier when they have one). A template with an unknown field or a brace that does not close
//! is refused when it is saved or imported, with where; a letter whose dossier lacks a field
//! it uses is refused before printing, naming every field missing.
//!
//! Templates are shared between communes as a TOML file, like the reference of procedures.

use crate::changes::Entry;
use crate::language::Language;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The fields a template may use, with what fills them.
pub const FIELDS: [(&str, &str); 25] = [
    (
        "person.name",
        "the person's name as the dossier shows it (Latin and Arabic)",
    ),
    ("person.name_latin", "the person's name in Latin script"),
    ("person.name_ar", "the person's name in Arabic script"),
    ("person.birth_date", "the person's birth date (or year)"),
    ("person.phone", "the person's phone number"),
    ("person.address", "where letters reach the person"),
    ("person.douar", "the person's douar"),
    ("person.number", "the dossier's number"),
    ("case.number", "the case's number"),
    ("case.need", "the need, as the officer wrote it"),
    (
        "case.procedure",
        "the procedure of the reference the case follows",
    ),
    ("case.opened_on", "the day the case was opened"),
    ("case.follow_up_on", "the day the person comes back"),
    (
        "body.name",
        "the body the case is referred to (its last referral)",
    ),
    ("body.address", "that body's address, from the directory"),
    ("body.phone", "that body's phone, from the directory"),
    ("commune.name", "the commune's name in Latin script"),
    ("commune.name_ar", "the commune's name in Arabic script"),
    ("commune.province", "the commune's province"),
    ("officer.name", "the officer who prints the letter"),
    ("today", "the day the letter is printed"),
    ("office.name", "the office's name (BAOM of the commune)"),
    // A letter to the diaspora register's members (a mail merge): one letter per member.
    (
        "member.name",
        "the diaspora member's name, as the register holds it",
    ),
    ("member.town", "the town the member lives in"),
    (
        "member.country",
        "the country the member lives in (its two-letter code)",
    ),
];

/// The format of the shared file.
pub const FORMAT: u32 = 1;

/// A template as supervisors write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// A stable slug (`referral-letter`).
    pub id: String,
    /// What it is, as the list shows it.
    pub title: String,
    /// The letter's language (administrations read French; a letter may be in Arabic).
    pub language: Language,
    pub text: String,
}

impl Entry for Template {
    fn id(&self) -> &str {
        &self.id
    }

    fn differences(&self, other: &Self) -> Vec<&'static str> {
        let mut d = Vec::new();
        if self.title != other.title {
            d.push("title");
        }
        if self.language != other.language {
            d.push("language");
        }
        if self.text != other.text {
            d.push("text");
        }
        d
    }
}

/// What is wrong with a template, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("line {line}: {{{{ opens a field that is not closed by }}}}")]
    Unclosed { line: usize },
    #[error("line {line}: }}}} closes a field that was not opened")]
    Unopened { line: usize },
    #[error("line {line}: {{{{ {field} }}}} is not a field a letter can be filled with")]
    UnknownField { line: usize, field: String },
    #[error("the template's {0} is empty")]
    Empty(&'static str),
    #[error("the id {0:?} is not a slug (lower-case letters, digits and -)")]
    BadId(String),
    #[error("two templates have the id {0:?}")]
    Twice(String),
    #[error("the text is too long ({0} characters; at most 20000)")]
    TooLong(usize),
}

impl TemplateError {
    /// A stable code for the pages and the API.
    pub fn code(&self) -> &'static str {
        match self {
            TemplateError::Unclosed { .. } | TemplateError::Unopened { .. } => "template_syntax",
            TemplateError::UnknownField { .. } => "unknown_field",
            _ => "invalid_template",
        }
    }
}

/// A piece of a template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Field(&'static str),
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn pieces(text: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = 0;
    loop {
        let open = text[rest..].find("{{").map(|i| i + rest);
        let close = text[rest..].find("}}").map(|i| i + rest);
        match (open, close) {
            (None, None) => {
                out.push(Piece::Text(&text[rest..]));
                return Ok(out);
            }
            (None, Some(c)) => {
                return Err(TemplateError::Unopened {
                    line: line_of(text, c),
                });
            }
            (Some(o), Some(c)) if c < o => {
                return Err(TemplateError::Unopened {
                    line: line_of(text, c),
                });
            }
            (Some(o), _) => {
                out.push(Piece::Text(&text[rest..o]));
                let Some(end) = text[o + 2..].find("}}").map(|i| i + o + 2) else {
                    return Err(TemplateError::Unclosed {
                        line: line_of(text, o),
                    });
                };
                let name = text[o + 2..end].trim();
                if name.contains("{{") {
                    return Err(TemplateError::Unclosed {
                        line: line_of(text, o),
                    });
                }
                let field = FIELDS
                    .iter()
                    .map(|(f, _)| *f)
                    .find(|f| *f == name)
                    .ok_or_else(|| TemplateError::UnknownField {
                        line: line_of(text, o),
                        field: name.to_owned(),
                    })?;
                out.push(Piece::Field(field));
                rest = end + 2;
            }
        }
    }
}

impl Template {
    /// Checks the template: its id, title and text, and every field it uses.
    pub fn check(&self) -> Result<(), TemplateError> {
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(TemplateError::BadId(self.id.clone()));
        }
        if self.title.trim().is_empty() {
            return Err(TemplateError::Empty("title"));
        }
        if self.text.trim().is_empty() {
            return Err(TemplateError::Empty("text"));
        }
        let n = self.text.chars().count();
        if n > 20_000 {
            return Err(TemplateError::TooLong(n));
        }
        pieces(&self.text).map(|_| ())
    }

    /// The fields the template uses, each once, in order.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for p in pieces(&self.text).unwrap_or_default() {
            if let Piece::Field(f) = p
                && !out.contains(&f)
            {
                out.push(f);
            }
        }
        out
    }

    /// The letter, with every field filled from `values`; or every field it uses that has no
    /// value (absent or empty), in order.
    pub fn fill(&self, values: &BTreeMap<&str, String>) -> Result<String, Vec<&'static str>> {
        let pieces = pieces(&self.text).map_err(|_| Vec::new())?;
        let missing: Vec<&'static str> = self
            .fields()
            .into_iter()
            .filter(|f| values.get(f).is_none_or(|v| v.trim().is_empty()))
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => (*t).to_owned(),
                Piece::Field(f) => values.get(f).cloned().unwrap_or_default(),
            })
            .collect())
    }
}

/// The shared file: `format = 1` and `[[templates]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub format: u32,
    #[serde(default)]
    pub templates: Vec<Template>,
}

impl TemplateFile {
    /// Checks every template, and that no id is there twice.
    pub fn check(&self) -> Result<(), (usize, TemplateError)> {
        for (i, t) in self.templates.iter().enumerate() {
            t.check().map_err(|e| (i, e))?;
            if self.templates[..i].iter().any(|o| o.id == t.id) {
                return Err((i, TemplateError::Twice(t.id.clone())));
            }
        }
        Ok(())
    }
}

/// The templates a new box starts with: the letters the offices asked for.
pub fn starter() -> Vec<Template> {
    let t = |id: &str, title: &str, language, text: &str| Template {
        id: id.into(),
        title: title.into(),
        language,
        text: text.into(),
    };
    vec![
        t(
            "referral-letter",
            "Lettre d'orientation vers un organisme",
            Language::French,
            "{{ commune.name }}, le {{ today }}\n\n{{ office.name }}\n\nÀ l'attention de : {{ body.name }}\n{{ body.address }}\n\nObjet : orientation de {{ person.name }} (dossier n° {{ person.number }})\n\nMadame, Monsieur,\n\nNous vous adressons {{ person.name }}, né(e) le {{ person.birth_date }}, qui s'est présenté(e) à notre bureau pour la démarche suivante : {{ case.need }}.\n\nNous vous remercions de bien vouloir l'accueillir et de nous faire connaître la suite donnée à sa demande.\n\nVeuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.\n\n{{ officer.name }}\nChargé·e du BAOM",
        ),
        t(
            "record-mismatch",
            "Lettre à une caisse de retraite : écart entre les actes",
            Language::French,
            "{{ commune.name }}, le {{ today }}\n\n{{ office.name }}\n\nÀ l'attention de : {{ body.name }}\n{{ body.address }}\n\nObjet : dossier de {{ person.name }} — écart de nom ou de date de naissance entre les actes\n\nMadame, Monsieur,\n\n{{ person.name }}, demeurant {{ person.address }}, nous a sollicités au sujet de son dossier. Le nom ou la date de naissance ({{ person.birth_date }}) portés sur ses actes marocains et sur ceux de votre organisme ne concordent pas, ce qui bloque le versement de ses droits.\n\nNous joignons les copies des actes en notre possession et vous prions de bien vouloir procéder à la mise en concordance, ou de nous indiquer les pièces nécessaires.\n\nVeuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.\n\n{{ officer.name }}\nChargé·e du BAOM",
        ),
        t(
            "accompaniment-certificate",
            "Attestation d'accompagnement",
            Language::French,
            "{{ commune.name }}, le {{ today }}\n\nATTESTATION\n\nLe Bureau d'Accueil et d'Orientation des Migrant·e·s de la {{ commune.name }} atteste accompagner {{ person.name }}, né(e) le {{ person.birth_date }}, depuis le {{ case.opened_on }} dans la démarche suivante : {{ case.need }}.\n\nLa présente attestation est délivrée à l'intéressé(e) pour servir et valoir ce que de droit.\n\n{{ officer.name }}\nChargé·e du BAOM",
        ),
        t(
            "retiree-abroad",
            "Lettre à un retraité de la commune vivant à l'étranger",
            Language::French,
            "{{ commune.name }}, le {{ today }}\n\n{{ person.name }}\n{{ person.address }}\n\nMadame, Monsieur,\n\nLe Bureau d'Accueil et d'Orientation des Migrant·e·s de votre commune d'origine, {{ commune.name }}, est à votre disposition pour vos démarches au Maroc : pension, couverture santé, état civil, transfert de droits.\n\nVous pouvez nous joindre lors de votre prochain séjour, ou par téléphone.\n\nVeuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.\n\n{{ officer.name }}\nChargé·e du BAOM",
        ),
        t(
            "referral-letter-ar",
            "رسالة توجيه إلى هيئة",
            Language::Arabic,
            "{{ commune.name_ar }}، في {{ today }}\n\nمكتب استقبال وتوجيه المهاجرين\n\nإلى السيد(ة) المسؤول(ة) بـ: {{ body.name }}\n\nالموضوع: توجيه {{ person.name }}\n\nتحية طيبة، وبعد،\n\nيشرفنا أن نوجه إليكم {{ person.name }}، الذي(التي) حضر(ت) إلى مكتبنا من أجل: {{ case.need }}.\n\nنرجو منكم استقباله(ا) وإخبارنا بما تم في طلبه(ا).\n\nوتقبلوا فائق التقدير والاحترام.\n\n{{ officer.name }}",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Template {
        Template {
            id: "t".into(),
            title: "T".into(),
            language: Language::French,
            text: text.into(),
        }
    }

    #[test]
    fn fields_are_filled_and_a_missing_one_is_named() {
        let t = template("Objet : {{person.name}} ({{ case.number }}) — {{ person.address }}.");
        assert_eq!(t.fields(), ["person.name", "case.number", "person.address"]);
        let mut v = BTreeMap::new();
        v.insert("person.name", "Fatima Ait Ali".to_owned());
        v.insert("case.number", "12".to_owned());
        assert_eq!(t.fill(&v), Err(vec!["person.address"]));
        v.insert("person.address", "   ".to_owned());
        assert_eq!(t.fill(&v), Err(vec!["person.address"]), "blank is missing");
        v.insert("person.address", "Douar Tinfat".to_owned());
        assert_eq!(
            t.fill(&v).unwrap(),
            "Objet : Fatima Ait Ali (12) — Douar Tinfat."
        );
    }

    #[test]
    fn an_unknown_field_and_broken_braces_are_refused_with_their_line() {
        let cases = [
            ("Bonjour {{ person.salary }}", "unknown_field", 1),
            ("a\nb {{ person.name", "template_syntax", 2),
            ("a }} b", "template_syntax", 1),
            ("{{ {{ person.name }} }}", "template_syntax", 1),
            ("x\n\ny {{}}", "unknown_field", 3),
        ];
        for (text, code, line) in cases {
            let e = template(text).check().unwrap_err();
            assert_eq!(e.code(), code, "{text}: {e}");
            assert!(e.to_string().starts_with(&format!("line {line}:")), "{e}");
        }
        assert!(template("").check().is_err());
        let mut t = template("ok");
        t.id = "Bad Id".into();
        assert_eq!(t.check().unwrap_err().code(), "invalid_template");
    }

    #[test]
    fn the_starter_templates_check_and_use_only_known_fields() {
        let file = TemplateFile {
            format: FORMAT,
            templates: starter(),
        };
        assert_eq!(file.check(), Ok(()));
        assert!(starter()[1].fields().contains(&"person.address"));
    }
}
