//! Which script a text is written in: the checks that a name or a label in one of the office's
//! languages uses that language's letters (Arabic for `ar`, Tifinagh for `zgh`, Latin for `fr`
//! and `en`). Settings, the reference of procedures and people's names all use these.

use crate::language::Language;

/// Any character of Unicode's Arabic blocks (letters, digits, punctuation, presentation forms).
pub fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// An Arabic-script letter or mark, as a name holds (not Arabic digits or punctuation).
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c as u32, 0x0620..=0x064A | 0x064B..=0x065F | 0x066E..=0x06D3 | 0x06D5 | 0x06FA..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// A Latin letter, with the accents and combining marks of the languages visitors write.
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c as u32, 0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x024F | 0x1E00..=0x1EFF | 0x0300..=0x036F)
}

/// Tifinagh, as the `zgh` texts need.
pub fn is_tifinagh(c: char) -> bool {
    ('\u{2D30}'..='\u{2D7F}').contains(&c)
}

/// A text in `language` must be written in that language's script: Arabic letters for `ar`,
/// Tifinagh for `zgh`, and no Arabic or Tifinagh in the Latin-script languages. The error is a
/// sentence naming what is wrong.
pub fn check_language_script(language: Language, text: &str) -> Result<(), String> {
    let ok = match language {
        Language::Arabic => text.chars().any(is_arabic),
        Language::Tamazight => text.chars().any(is_tifinagh),
        Language::French | Language::English => {
            !text.chars().any(|c| is_arabic(c) || is_tifinagh(c))
        }
    };
    if ok {
        return Ok(());
    }
    Err(match language {
        Language::Arabic => {
            format!("{text:?} has no Arabic letters: write the ar text in Arabic script")
        }
        Language::Tamazight => {
            format!("{text:?} has no Tifinagh letters: write the zgh text in Tifinagh")
        }
        other => format!(
            "{text:?} mixes in Arabic or Tifinagh letters: write the {} text in Latin script",
            other.code()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_wants_its_own_script() {
        assert!(check_language_script(Language::Arabic, "تالوين").is_ok());
        assert!(check_language_script(Language::Arabic, "Taliouine").is_err());
        assert!(check_language_script(Language::Tamazight, "ⵜⴰⵍⵉⵡⵉⵏ").is_ok());
        let e = check_language_script(Language::Tamazight, "Taliwin").unwrap_err();
        assert!(e.contains("Tifinagh"), "{e}");
        assert!(check_language_script(Language::French, "Taliouine (démo)").is_ok());
        let e = check_language_script(Language::English, "تالوين").unwrap_err();
        assert!(e.contains("write the en text in Latin script"), "{e}");
    }

    #[test]
    fn letters_are_told_apart_from_digits_and_other_scripts() {
        assert!(is_arabic_letter('م') && !is_arabic_letter('٣') && is_arabic('٣'));
        assert!(is_latin_letter('é') && is_latin_letter('Z') && !is_latin_letter('م'));
        assert!(is_tifinagh('ⵣ') && !is_tifinagh('z'));
    }
}
