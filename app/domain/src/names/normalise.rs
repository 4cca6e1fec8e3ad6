//! From a name as typed to the tokens the index compares: one script (lowercase ASCII), no
//! accents, no harakat, particles glued to the word they belong to.
//!
//! The steps, in order:
//! 1. NFKC (Arabic presentation forms, ligatures, full-width letters), lowercase, then NFD and
//!    every combining mark dropped: Latin accents (é→e, ï→i) and Arabic harakat go, and so do the
//!    hamza and madda of أ إ آ ؤ ئ, which folds them to ا ا ا و ي.
//! 2. Letters the NFD step does not fold: ٱ→ا, ة→ه, ى→ي, Persian ی→ي and ک→ك, Maghrebi ڭ ݣ→g;
//!    tatweel, lone hamza ء and invisible format characters (RTL/LTR marks, zero-width joiners)
//!    are dropped. Apostrophes join (N'Diaye→ndiaye, M'hamed→mhamed); anything else that is not
//!    a letter separates words.
//! 3. Per Arabic word: a leading article ال is dropped (when two letters or more remain), and
//!    the particles عبد, بن/ابن, آيت, ولد, أبو/بو, أو and الدين are recognised, also عبد and
//!    الدين written together with the name (عبدالقادر, نورالدين).
//! 4. Each word is transliterated with `any_ascii` (محمد→mhmd; alif, which it leaves out, is
//!    written a) and kept to `a-z`.
//! 5. Standalone articles (el, al, l, and the assimilated ed, er, es…) are dropped; ad-din is
//!    glued to the word before it (Nour Eddine → noureddine); particles are glued to the next
//!    word with one spelling each: abd, ben, ait, ould, abu, ou (Abd el-Kader, Abdel Kader →
//!    abdkader; عبد القادر → abdqadr, the same skeleton). Inside a Latin word the article after
//!    abd is dropped the same way: Abdelkader → abdkader, Abderrahmane → abdrahmane.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words longer than this are cut: no name needs more, and it bounds the work per word.
pub(crate) const MAX_TOKEN_CHARS: usize = 40;
/// Words after the first this many of a name are ignored (same reason).
pub(crate) const MAX_TOKENS: usize = 12;
/// Characters of a name looked at; the rest is ignored so that a pasted page cannot stall a search.
pub(crate) const MAX_INPUT_CHARS: usize = 400;

/// A particle: a short word that belongs to the word after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Particle {
    /// "servant of": Abd el-Kader, عبد القادر.
    Abd,
    /// "son of": Ben, Bin, Ibn, Bn, بن, ابن.
    Ben,
    /// Amazigh "people of": Aït, Ait, Ayt, آيت.
    Ait,
    /// Hassaniya "son of": Ould, ولد.
    Ould,
    /// "father of": Abou, Abu, Bou, أبو, بو.
    Abu,
    /// Amazigh "son of": Ou, أو.
    Ou,
}

impl Particle {
    fn spelling(self) -> &'static str {
        match self {
            Particle::Abd => "abd",
            Particle::Ben => "ben",
            Particle::Ait => "ait",
            Particle::Ould => "ould",
            Particle::Abu => "abu",
            Particle::Ou => "ou",
        }
    }

    /// Latin spellings of a standalone particle (after accents are gone).
    fn latin(word: &str) -> Option<Particle> {
        Some(match word {
            "abd" | "abdel" | "abdal" | "abdul" | "abdoul" | "abdil" | "abdol" => Particle::Abd,
            "ben" | "bin" | "ibn" | "bn" | "ibnou" => Particle::Ben,
            "ait" | "ayt" | "aith" => Particle::Ait,
            "ould" | "old" | "wld" | "ouled" | "oulad" => Particle::Ould,
            "abou" | "abu" | "abo" | "bou" | "bu" => Particle::Abu,
            "ou" => Particle::Ou,
            _ => return None,
        })
    }

    /// Arabic spellings of a standalone particle (after folding: آيت is ايت).
    fn arabic(word: &str) -> Option<Particle> {
        Some(match word {
            "عبد" => Particle::Abd,
            "بن" | "ابن" => Particle::Ben,
            "ايت" => Particle::Ait,
            "ولد" | "اولاد" => Particle::Ould,
            "ابو" | "بو" => Particle::Abu,
            "او" => Particle::Ou,
            _ => return None,
        })
    }
}

/// Standalone words dropped: the article written apart, also as the sun letters assimilate it
/// (Abd er-Rahman, Nasr ed-Din).
const ARTICLES: &[&str] = &[
    "el", "al", "l", "ul", "il", "ed", "ad", "ud", "er", "ar", "es", "as", "ez", "et", "en", "ech",
    "ال",
];

/// Standalone spellings of ad-din ("of the faith"), glued to the word before it: Nour Eddine,
/// Salah ed-Din, نور الدين.
const DIN: &[&str] = &[
    "eddine", "eddin", "edine", "ddine", "dine", "din", "uddin", "uddine", "addin", "addine",
    "eldin", "eldine", "aldin",
];

/// One word on its way through the steps.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    particle: Option<Particle>,
    /// A standalone ad-din, to glue to the word before it.
    din: bool,
    /// Written in Arabic script.
    arabic: bool,
    /// See [`Token::head`] and [`Token::tail`].
    head: u16,
    tail: u16,
    /// See [`Token::eastern`].
    eastern: Option<String>,
}

/// A token and the script it was written in: the same ASCII may be two different names in
/// two scripts (Latin Ayman is أيمن, while ايمان, Imane, also transliterates to `ayman`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) text: String,
    pub(crate) arabic: bool,
    /// An Arabic word's last letter as a vowel its transliteration hides, as the vowel
    /// classes of `skeleton`: ة and ى are A (فاطمة, هدى, موسى), ه is A or I (é in French
    /// names: باريه); 0 otherwise (ح is a consonant: صالح).
    pub(crate) tail: u16,
    /// The vowel classes of the alif an Arabic word starts with: أ is a or u (أحمد, أسامة),
    /// a bare ا or آ any (إ is transliterated i).
    pub(crate) head: u16,
    /// For a family name glued to Aït or Ou (Aït Ouahmane), the name without it: people say and
    /// write "Ouahmane" alone as often as not, so the index knows that form too.
    pub(crate) bare: Option<Box<Token>>,
    /// For an Arabic word with ث, ذ or ظ, the word as Egypt and the Levant say those letters
    /// (s, z, z: عثمان Osman, حافظ Hafez), where the text has them as the Maghreb does (t, d,
    /// d: Othmane, Hafid). (Egypt's hard ج, Ragab, is a key of the Latin spelling.)
    pub(crate) eastern: Option<String>,
}

/// Tokens of a name: see the module doc for the steps. Never panics; an empty Vec when nothing
/// in `name` is a letter.
pub fn normalise(name: &str) -> Vec<String> {
    tokens(name).into_iter().map(|t| t.text).collect()
}

/// [`normalise`], keeping each token's script.
pub(crate) fn tokens(name: &str) -> Vec<Token> {
    let words = split_words(name);
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    for raw in words {
        if let Some(word) = transliterate_word(&raw) {
            out.push(word);
        }
    }
    glue(out)
}

/// Steps 1 and 2: folded words, still in their own script.
fn split_words(name: &str) -> Vec<String> {
    let head: String = name.chars().take(MAX_INPUT_CHARS).collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let lowered: String = head.nfkc().flat_map(char::to_lowercase).collect();
    for c in lowered.nfd() {
        if c == HAMZA_BELOW && current.ends_with('ا') {
            // إ is said i (إبراهيم, إيمان): the one hamza form that tells a vowel.
            current.pop();
            current.push(ALIF_I);
            continue;
        }
        if c == CEDILLA && current.ends_with('c') {
            // ç is s: Fayçal, François (NFD would leave a c, said k before a).
            current.pop();
            current.push('s');
            continue;
        }
        if c == HAMZA_ABOVE && current.ends_with('ا') {
            current.pop();
            current.push(ALIF_A);
            continue;
        }
        if is_combining_mark(c) {
            continue;
        }
        match fold_char(c) {
            Fold::Keep(k) => current.push(k),
            Fold::Str(s) => current.push_str(s),
            Fold::Drop => {}
            Fold::Split => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.truncate(MAX_TOKENS * 2);
    words
}

/// U+0655 and U+0654, the hamza below of إ and above of أ once NFD has split them off.
const HAMZA_BELOW: char = '\u{0655}';
const HAMZA_ABOVE: char = '\u{0654}';
/// U+0327, the cedilla of ç.
const CEDILLA: char = '\u{0327}';
/// What إ is kept as until it is transliterated (as `i`).
const ALIF_I: char = 'إ';
/// What أ is kept as until it is transliterated (as `a`, said a or u).
const ALIF_A: char = 'أ';

enum Fold {
    Keep(char),
    Str(&'static str),
    Drop,
    Split,
}

fn fold_char(c: char) -> Fold {
    match c {
        // Arabic letters NFD leaves alone.
        'ٱ' | 'ٲ' | 'ٳ' | 'ٵ' => Fold::Keep('ا'),
        // ة and ى are kept until the word is transliterated: they tell a final vowel.
        'ة' => Fold::Keep('ة'),
        'ی' => Fold::Keep('ي'),
        'ې' | 'ۍ' => Fold::Keep('ي'),
        'ک' => Fold::Keep('ك'),
        // The Moroccan g (ڭ, said like ق, Guessous) is k in the skeleton; غ is g.
        'ڭ' | 'ݣ' | 'گ' => Fold::Str("k"),
        // Tatweel, lone hamza, and format characters (bidi marks, zero-width joiners, BOM).
        '\u{0640}' | 'ء' => Fold::Drop,
        '\u{061C}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' => Fold::Drop,
        '\u{FEFF}' | '\u{00AD}' => Fold::Drop,
        // Apostrophes join: N'Diaye, M'hamed.
        '\'' | '’' | 'ʼ' | '‘' | '`' | '´' | 'ʻ' | 'ʿ' | 'ʾ' => Fold::Drop,
        c if c.is_alphabetic() => Fold::Keep(c),
        _ => Fold::Split,
    }
}

fn is_arabic(c: char) -> bool {
    // (إ is in the block.)
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
}

/// Steps 3 and 4 for one word. `None` when nothing of it is left.
fn transliterate_word(raw: &str) -> Option<Word> {
    let mut word: String = raw.chars().take(MAX_TOKEN_CHARS).collect();
    let mut particle = None;
    let mut prefix = "";
    let mut din = false;
    if word.chars().any(is_arabic) {
        if ARTICLES.contains(&word.as_str()) {
            return None;
        }
        if word == "الدين" {
            din = true;
            word = "دين".to_string();
        } else if let Some(head) = word.strip_suffix("الدين").filter(|h| !h.is_empty()) {
            // نورالدين written as one word.
            word = format!("{head}دين");
        }
        if din {
            // Nothing more: دين is the word itself.
        } else if let Some(p) = Particle::arabic(&word.replace([ALIF_A, ALIF_I], "ا")) {
            particle = Some(p);
        } else if let Some(rest) = word
            .strip_prefix("عبدال")
            .filter(|r| r.chars().count() >= 2)
        {
            // عبدالقادر written as one word.
            prefix = "abd";
            word = rest.to_string();
        } else if let Some(rest) = word.strip_prefix("ال").filter(|r| r.chars().count() >= 2) {
            word = rest.to_string();
        }
    }
    let arabic = word.chars().any(is_arabic);
    let eastern = (arabic && word.contains(['ث', 'ذ', 'ظ']))
        .then(|| format!("{prefix}{}", arabic_to_ascii(&word, true)))
        .filter(|e| !e.is_empty());
    let mut text = String::with_capacity(word.len() + prefix.len());
    text.push_str(prefix);
    if arabic {
        text.push_str(&arabic_to_ascii(&word, false));
    } else {
        text.extend(
            any_ascii::any_ascii(&word)
                .chars()
                .map(|c| c.to_ascii_lowercase())
                .filter(char::is_ascii_lowercase),
        );
    }
    let tail = match word.chars().last() {
        Some('ة' | 'ى') => super::skeleton::A,
        Some('ه') => super::skeleton::A | super::skeleton::I,
        _ => 0,
    };
    let head = match word.chars().next() {
        Some(ALIF_A) => super::skeleton::A | super::skeleton::U,
        _ => super::skeleton::A | super::skeleton::I | super::skeleton::U,
    };
    if let Some(p) = particle {
        text = p.spelling().to_string();
    }
    if text.is_empty() {
        return None;
    }
    if particle.is_none() && ARTICLES.contains(&text.as_str()) {
        return None;
    }
    if particle.is_none() {
        particle = Particle::latin(&text);
    }
    din = din || DIN.contains(&text.as_str());
    Some(Word {
        text,
        particle,
        din,
        arabic,
        head,
        tail,
        eastern: if particle.is_some() { None } else { eastern },
    })
}

/// Step 4 for an Arabic word: one ASCII letter per Arabic letter. Letters any_ascii writes
/// with two (kh, sh, th, dh, gh) are written with one, so that they never read as two nor two
/// letters as one (كهينة is k-h, Kahina; سهام is s-h, Siham; صحراوي s-h, Sahraoui): the Latin
/// spelling rules are not applied to Arabic. any_ascii writes nothing for alif; a Latin reader
/// hears a (and Jaro-Winkler sees it); إ is i; ة is ه, ى is ي (their vowel is kept aside).
/// `eastern`: ث, ذ and ظ as Egypt and the Levant say them (see [`Token::eastern`]).
fn arabic_to_ascii(word: &str, eastern: bool) -> String {
    let word: String = word
        .chars()
        .map(|c| match c {
            'ث' if eastern => 's',
            'ذ' | 'ظ' if eastern => 'z',
            'ث' => 't',
            'خ' => 'k',
            'ذ' | 'ظ' => 'd',
            'ش' | 'چ' => 'x',
            'غ' => 'g',
            // any_ascii drops ع: it is kept as e, which no other Arabic letter gives.
            'ع' => 'e',
            ALIF_A | 'ا' => 'a',
            ALIF_I => 'i',
            'ة' => 'ه',
            'ى' => 'ي',
            c => c,
        })
        .collect();
    any_ascii::any_ascii(&word)
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(char::is_ascii_lowercase)
        .collect()
}

/// Step 5: ad-din glued to the word before it; particles glued to the next word, from the right
/// so that "ben abd el kader" becomes one word; Latin spellings of abd+article inside a word
/// reduced.
fn glue(words: Vec<Word>) -> Vec<Token> {
    let mut joined: Vec<Word> = Vec::with_capacity(words.len());
    for word in words {
        match joined.last_mut() {
            Some(prev) if word.din && !prev.din => {
                prev.text.push_str(&word.text);
                if let Some(e) = &mut prev.eastern {
                    e.push_str(&word.text);
                }
                prev.particle = None;
            }
            _ => joined.push(word),
        }
    }
    let mut out: Vec<Token> = Vec::with_capacity(joined.len());
    for word in joined.into_iter().rev() {
        let (text, arabic, tail, head, bare, eastern) = match word.particle {
            Some(p) if !out.is_empty() => {
                let next = out.pop().unwrap_or(Token {
                    text: String::new(),
                    arabic: word.arabic,
                    tail: 0,
                    head: word.head,
                    bare: None,
                    eastern: None,
                });
                let mut glued = String::with_capacity(next.text.len() + 4);
                glued.push_str(p.spelling());
                glued.push_str(&next.text);
                let bare = matches!(p, Particle::Ait | Particle::Ou).then(|| {
                    Box::new(Token {
                        bare: None,
                        ..next.clone()
                    })
                });
                let eastern = next.eastern.map(|e| format!("{}{e}", p.spelling()));
                (glued, next.arabic, next.tail, word.head, bare, eastern)
            }
            Some(p) => (
                p.spelling().to_string(),
                word.arabic,
                0,
                word.head,
                None,
                None,
            ),
            None => (
                word.text,
                word.arabic,
                word.tail,
                word.head,
                None,
                word.eastern,
            ),
        };
        out.push(Token {
            text: reduce_abd(&text),
            arabic,
            tail,
            head,
            bare,
            eastern,
        });
    }
    out.reverse();
    out.truncate(MAX_TOKENS);
    out
}

/// Latin spellings of abd + article written as one word, to `abd` + the name:
/// abdelkader, abdulkader → abdkader; abderrahmane → abdrahmane; abdessamad → abdsamad. Also
/// after a glued ben (benabdelkader). A vowel after abd that is not an article stays
/// (abdaziz, abdou).
fn reduce_abd(word: &str) -> String {
    let (head, rest) = if let Some(rest) = word.strip_prefix("abd") {
        ("abd", rest)
    } else if let Some(rest) = word.strip_prefix("benabd") {
        ("benabd", rest)
    } else {
        return word.to_string();
    };
    let vowels = rest
        .bytes()
        .take_while(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u'))
        .count();
    let after = &rest[vowels..];
    let bytes = after.as_bytes();
    let stripped = if vowels == 0 || vowels > 2 || bytes.len() < 2 {
        rest
    } else if bytes[0] == b'l' {
        // abd-el-kader, abd-ul-lah
        &after[1..]
    } else if bytes[0] == bytes[1] && !matches!(bytes[0], b'a' | b'e' | b'i' | b'o' | b'u') {
        // abd-er-rahmane: the article took the sun letter's sound.
        &after[1..]
    } else {
        rest
    };
    let mut out = String::with_capacity(head.len() + stripped.len());
    out.push_str(head);
    out.push_str(stripped);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Vec<String> {
        normalise(s)
    }

    #[test]
    fn lowercase_and_latin_accents_go() {
        assert_eq!(n("OUÉDRAOGO"), ["ouedraogo"]);
        assert_eq!(n("Aïcha Traoré"), ["aicha", "traore"]);
        // ç is s.
        assert_eq!(n("Çelik Ñúñez"), ["selik", "nunez"]);
        assert_eq!(n("Fayçal"), ["faysal"]);
    }

    #[test]
    fn nfkc_folds_presentation_forms_and_full_width() {
        // U+FEE3 U+FEA4 U+FEE4 U+FEAA: محمد in presentation forms.
        assert_eq!(n("\u{FEE3}\u{FEA4}\u{FEE4}\u{FEAA}"), ["mhmd"]);
        assert_eq!(n("ＡＬＩ"), ["ali"]);
    }

    #[test]
    fn harakat_and_tatweel_go() {
        assert_eq!(n("مُحَمَّد"), ["mhmd"]);
        assert_eq!(n("محـــمد"), ["mhmd"]);
    }

    #[test]
    fn hamza_and_madda_forms_fold() {
        assert_eq!(n("أحمد"), n("احمد"));
        // إ alone tells a vowel, i: it is kept (إيمان is Imane, أيمن Ayman).
        assert_eq!(n("إبراهيم"), ["ibrahym"]);
        assert_eq!(n("إيمان"), ["iyman"]);
        assert_eq!(n("آمنة"), n("امنه"));
        assert_eq!(n("ٱمنة"), n("امنه"));
        assert_eq!(n("مؤمن"), n("مومن"));
        assert_eq!(n("هانئ"), n("هاني"));
    }

    #[test]
    fn taa_marbuta_and_alif_maqsura_fold() {
        assert_eq!(n("فاطمة"), ["fatmh"]);
        assert_eq!(n("مصطفى"), n("مصطفي"));
        assert_eq!(n("موسى"), ["mwsy"]);
        assert_eq!(n("فاطنة"), ["fatnh"]);
        // Their vowel is kept aside; ح is a consonant.
        let (a, i) = (crate::names::skeleton::A, crate::names::skeleton::I);
        assert_eq!(tokens("فاطمة")[0].tail, a);
        assert_eq!(tokens("هدى")[0].tail, a);
        assert_eq!(tokens("باريه")[0].tail, a | i);
        assert_eq!(tokens("صالح")[0].tail, 0);
        assert_eq!(tokens("Fatima")[0].tail, 0);
    }

    #[test]
    fn leading_article_dropped_in_arabic() {
        assert_eq!(n("الفاسي"), ["fasy"]);
        assert_eq!(n("ال فاسي"), ["fasy"]);
        // Too short to be an article plus a name.
        assert_eq!(n("الي"), ["aly"]);
    }

    #[test]
    fn standalone_latin_article_dropped() {
        assert_eq!(n("El Fassi"), ["fassi"]);
        assert_eq!(n("Al-Amine"), ["amine"]);
        assert_eq!(n("Mohamed El Amrani"), ["mohamed", "amrani"]);
    }

    #[test]
    fn invisible_marks_dropped_and_apostrophes_join() {
        assert_eq!(n("\u{200F}محمد\u{200E}"), ["mhmd"]);
        assert_eq!(n("N'Diaye"), ["ndiaye"]);
        assert_eq!(n("M’hamed"), ["mhamed"]);
    }

    #[test]
    fn punctuation_digits_and_emoji_separate() {
        assert_eq!(
            n("Mohamed-Amine, 12 😀 Alaoui"),
            ["mohamed", "amine", "alaoui"]
        );
        assert!(n("").is_empty());
        assert!(n("123 -- 😀").is_empty());
    }

    #[test]
    fn abd_particle_in_every_spelling() {
        let want = ["abdkader"];
        for s in [
            "Abdelkader",
            "Abd el-Kader",
            "Abd El Kader",
            "Abdel Kader",
            "Abd al-Kader",
            "Abdul Kader",
            "Abdoul Kader",
        ] {
            assert_eq!(n(s), want, "{s}");
        }
        assert_eq!(n("عبد القادر"), ["abdqadr"]);
        assert_eq!(n("عبدالقادر"), ["abdqadr"]);
        assert_eq!(n("Abderrahmane"), ["abdrahmane"]);
        assert_eq!(n("Abdessamad"), ["abdsamad"]);
        assert_eq!(n("Abdelaziz"), ["abdaziz"]);
        assert_eq!(n("Abd al-Aziz"), ["abdaziz"]);
        assert_eq!(n("Abdou Diouf"), ["abdou", "diouf"]);
    }

    #[test]
    fn ben_particle_glued() {
        for s in ["Ben Ali", "Benali", "Bin Ali", "Ibn Ali", "ben-ali"] {
            assert_eq!(n(s), ["benali"], "{s}");
        }
        assert_eq!(n("بن علي"), ["benely"]);
        assert_eq!(n("Ben Abdelkader"), ["benabdkader"]);
        assert_eq!(n("Benabdelkader"), ["benabdkader"]);
        assert_eq!(n("Ben"), ["ben"]);
    }

    #[test]
    fn ait_particle_glued() {
        for s in ["Aït Baha", "Ait Baha", "Ayt Baha", "Ait-Baha", "Aitbaha"] {
            assert_eq!(n(s), ["aitbaha"], "{s}");
        }
        assert_eq!(n("آيت باها"), ["aitbaha"]);
        assert_eq!(n("أيت باها"), ["aitbaha"]);
        assert_eq!(n("ايت باها"), ["aitbaha"]);
        for s in ["آيت", "Aït", "Ait", "Ayt"] {
            assert_eq!(n(s), ["ait"], "{s}");
        }
    }

    #[test]
    fn ould_abu_ou_particles_glued() {
        assert_eq!(n("Ould Ahmed"), ["ouldahmed"]);
        assert_eq!(n("ولد أحمد"), ["ouldahmd"]);
        assert_eq!(n("Abou Bakr"), ["abubakr"]);
        assert_eq!(n("أبو بكر"), ["abubkr"]);
        assert_eq!(n("Ou Hammou"), ["ouhammou"]);
    }

    #[test]
    fn arabic_transliterated() {
        assert_eq!(n("يوسف"), ["ywsf"]);
        assert_eq!(n("كريم"), ["krym"]);
        // One letter for each Arabic letter: خ k, ش x, ث t, ذ and ظ d, غ g; the Moroccan ڭ k.
        assert_eq!(n("خديجة"), ["kdyjh"]);
        // ع is kept as e.
        assert_eq!(n("عائشة"), ["eayxh"]);
        assert_eq!(n("ڭناوي"), ["knawy"]);
        assert_eq!(n("غالي"), ["galy"]);
        // So that two letters never read as one: كهينة is Kahina, سهام Siham.
        assert_eq!(n("كهينة"), ["khynh"]);
        assert_eq!(
            crate::names::skeleton::shape("khynh", true, 0).skeleton,
            "khn"
        );
        assert_eq!(
            crate::names::skeleton::shape("sham", true, 0).skeleton,
            "shm"
        );
    }

    #[test]
    fn ad_din_glued_to_the_word_before() {
        assert_eq!(n("Nour Eddine"), ["noureddine"]);
        assert_eq!(n("Nour-Eddine"), ["noureddine"]);
        assert_eq!(n("Salah ed-Din"), ["salahdin"]);
        assert_eq!(n("نور الدين"), ["nwrdyn"]);
        assert_eq!(n("نورالدين"), ["nwrdyn"]);
        assert_eq!(n("Noureddine"), ["noureddine"]);
    }

    #[test]
    fn very_long_input_is_bounded() {
        let long = "Mohamed ".repeat(10_000);
        assert_eq!(n(&long).len(), MAX_TOKENS);
        let one = "a".repeat(10_000);
        assert_eq!(n(&one)[0].len(), MAX_TOKEN_CHARS);
    }
}
