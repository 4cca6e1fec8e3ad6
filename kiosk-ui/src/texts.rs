//! Every word the kiosk shows or says, in the four languages.
//!
//! One struct literal per language, so the compiler refuses a language that lacks a sentence
//! (a missing `.po` entry would silently fall back to English on screen). The same sentences are
//! the spoken prompts ([`Texts::prompt`]), so what is heard is what is written.
//!
//! The Arabic, and above all the Tamazight (Tifinagh), are a starting point to be checked by the
//! commune's staff, like the service names in `demo.toml`.

use crate::client::Language;
use crate::flow::Screen;

pub struct Texts {
    pub language_name: &'static str,
    pub choose_language: &'static str,
    pub who_are_you: &'static str,
    pub profile_abroad: &'static str,
    pub profile_returnee: &'static str,
    pub profile_dependant: &'static str,
    pub profile_foreigner: &'static str,
    pub give_opinion: &'static str,
    pub why_did_you_come: &'static str,
    pub usual: &'static str,
    pub closed_now: &'static str,
    pub go_first: &'static str,
    pub priority_elderly: &'static str,
    pub priority_pregnant: &'static str,
    pub priority_disability: &'static str,
    pub priority_none: &'static str,
    pub papers_ready: &'static str,
    pub no_papers: &'static str,
    pub take_ticket: &'static str,
    pub scan_first: &'static str,
    pub scan_title: &'static str,
    /// What to do, shown on the scan screen and spoken.
    pub scan_hint: &'static str,
    pub scan_page: &'static str,
    pub scanning: &'static str,
    /// `{}` is the number of pages.
    pub pages_scanned: &'static str,
    pub finished: &'static str,
    pub your_ticket: &'static str,
    /// `{}` is the number of people.
    pub ahead: &'static str,
    pub nobody_ahead: &'static str,
    /// `{}` is minutes.
    pub wait_minutes: &'static str,
    pub receipt_printed: &'static str,
    pub receipt_failed: &'static str,
    pub receipt_unknown: &'static str,
    pub scan_papers: &'static str,
    pub how_was_it: &'static str,
    pub rating_good: &'static str,
    pub rating_neutral: &'static str,
    pub rating_bad: &'static str,
    pub why_optional: &'static str,
    pub which_service_optional: &'static str,
    pub reason_waiting: &'static str,
    pub reason_welcome: &'static str,
    pub reason_explained: &'static str,
    pub reason_documents: &'static str,
    pub reason_place: &'static str,
    pub skip: &'static str,
    pub thanks: &'static str,
    pub back: &'static str,
    pub listen: &'static str,
    pub one_moment: &'static str,
    pub please_wait: &'static str,
    pub refused_closed: &'static str,
    pub refused_scanner: &'static str,
    pub refused_other: &'static str,
}

pub fn texts(l: Language) -> &'static Texts {
    match l {
        Language::Arabic => &AR,
        Language::Tamazight => &ZGH,
        Language::French => &FR,
        Language::English => &EN,
    }
}

impl Texts {
    /// The spoken prompt of a screen: its title, and for the ticket its number is added by the caller.
    pub fn prompt(&self, screen: Screen) -> &'static str {
        match screen {
            Screen::Language => self.choose_language,
            Screen::Profile => self.who_are_you,
            Screen::Service => self.why_did_you_come,
            Screen::Priority => self.go_first,
            Screen::Documents => self.papers_ready,
            Screen::Scan => self.scan_hint,
            Screen::Ticket => self.your_ticket,
            Screen::Feedback => self.how_was_it,
            Screen::FeedbackService => self.which_service_optional,
            Screen::FeedbackReason => self.why_optional,
            Screen::Thanks => self.thanks,
        }
    }

    /// The sentence for a refusal code from the service.
    pub fn refusal(&self, code: &str) -> &'static str {
        match code {
            "service_closed" | "daily_limit_reached" => self.refused_closed,
            c if c.starts_with("scanner") || c == "too_many_scans" => self.refused_scanner,
            _ => self.refused_other,
        }
    }
}

pub fn fill(template: &str, n: impl std::fmt::Display) -> String {
    template.replacen("{}", &n.to_string(), 1)
}

static EN: Texts = Texts {
    language_name: "English",
    choose_language: "Touch your language",
    who_are_you: "Who are you?",
    profile_abroad: "I live abroad",
    profile_returnee: "I came back to live here",
    profile_dependant: "Family of a migrant",
    profile_foreigner: "I come from another country",
    give_opinion: "I was seen: give my opinion",
    why_did_you_come: "Why did you come?",
    usual: "Often chosen",
    closed_now: "Closed now",
    go_first: "Do you need to go first?",
    priority_elderly: "Elderly person",
    priority_pregnant: "Pregnant",
    priority_disability: "Disability",
    priority_none: "No, I wait my turn",
    papers_ready: "Have these papers ready",
    no_papers: "No papers needed",
    take_ticket: "Take my ticket",
    scan_first: "Scan my papers, then my ticket",
    scan_title: "Scan your papers",
    scan_hint: "Put one page face down on the scanner, then touch Scan",
    scan_page: "Scan",
    scanning: "Scanning…",
    pages_scanned: "Pages scanned: {}",
    finished: "Finished",
    your_ticket: "Your ticket",
    ahead: "People before you: {}",
    nobody_ahead: "You are next",
    wait_minutes: "About {} minutes",
    receipt_printed: "Take your paper ticket below",
    receipt_failed: "The printer is not working: remember your number, or take a photo of the screen",
    receipt_unknown: "Take your paper ticket below. If none comes out, remember your number",
    scan_papers: "Scan papers",
    how_was_it: "How was your visit?",
    rating_good: "Good",
    rating_neutral: "So-so",
    rating_bad: "Bad",
    why_optional: "Why? You may skip",
    which_service_optional: "Which service was it? You may skip",
    reason_waiting: "Waiting time",
    reason_welcome: "Welcome",
    reason_explained: "Explanations",
    reason_documents: "Papers",
    reason_place: "The place",
    skip: "Skip",
    thanks: "Thank you!",
    back: "Back",
    listen: "Listen",
    one_moment: "One moment, please…",
    please_wait: "Please wait…",
    refused_closed: "This service is closed now. Please ask at the desk",
    refused_scanner: "The scanner is not working. Bring your papers to the desk",
    refused_other: "Sorry, that did not work. Please ask at the desk",
};

static FR: Texts = Texts {
    language_name: "Français",
    choose_language: "Touchez votre langue",
    who_are_you: "Qui êtes-vous ?",
    profile_abroad: "Je vis à l'étranger",
    profile_returnee: "Je suis revenu vivre ici",
    profile_dependant: "Famille d'un migrant",
    profile_foreigner: "Je viens d'un autre pays",
    give_opinion: "J'ai été reçu : donner mon avis",
    why_did_you_come: "Pourquoi êtes-vous venu ?",
    usual: "Souvent choisi",
    closed_now: "Fermé maintenant",
    go_first: "Devez-vous passer en priorité ?",
    priority_elderly: "Personne âgée",
    priority_pregnant: "Enceinte",
    priority_disability: "Handicap",
    priority_none: "Non, j'attends mon tour",
    papers_ready: "Préparez ces papiers",
    no_papers: "Aucun papier demandé",
    take_ticket: "Prendre mon ticket",
    scan_first: "Scanner mes papiers, puis mon ticket",
    scan_title: "Scanner vos papiers",
    scan_hint: "Posez une page face vers le bas sur le scanner, puis touchez Scanner",
    scan_page: "Scanner",
    scanning: "Numérisation…",
    pages_scanned: "Pages scannées : {}",
    finished: "Terminé",
    your_ticket: "Votre ticket",
    ahead: "Personnes avant vous : {}",
    nobody_ahead: "C'est bientôt à vous",
    wait_minutes: "Environ {} minutes",
    receipt_printed: "Prenez votre ticket papier en bas",
    receipt_failed: "L'imprimante ne marche pas : retenez votre numéro ou photographiez l'écran",
    receipt_unknown: "Prenez votre ticket papier en bas. S'il ne sort pas, retenez votre numéro",
    scan_papers: "Scanner des papiers",
    how_was_it: "Comment s'est passée votre visite ?",
    rating_good: "Bien",
    rating_neutral: "Moyen",
    rating_bad: "Mal",
    why_optional: "Pourquoi ? Vous pouvez passer",
    which_service_optional: "Pour quel service ? Vous pouvez passer",
    reason_waiting: "L'attente",
    reason_welcome: "L'accueil",
    reason_explained: "Les explications",
    reason_documents: "Les papiers",
    reason_place: "Les lieux",
    skip: "Passer",
    thanks: "Merci !",
    back: "Retour",
    listen: "Écouter",
    one_moment: "Un instant, s'il vous plaît…",
    please_wait: "Patientez…",
    refused_closed: "Ce service est fermé maintenant. Demandez au guichet",
    refused_scanner: "Le scanner ne marche pas. Apportez vos papiers au guichet",
    refused_other: "Désolé, cela n'a pas marché. Demandez au guichet",
};

static AR: Texts = Texts {
    language_name: "العربية",
    choose_language: "المس لغتك",
    who_are_you: "من أنت؟",
    profile_abroad: "أعيش في الخارج",
    profile_returnee: "رجعت للعيش هنا",
    profile_dependant: "من عائلة مهاجر",
    profile_foreigner: "أتيت من بلد آخر",
    give_opinion: "تم استقبالي: أعطي رأيي",
    why_did_you_come: "لماذا جئت؟",
    usual: "يُختار غالبا",
    closed_now: "مغلق الآن",
    go_first: "هل تحتاج إلى الأولوية؟",
    priority_elderly: "شخص مسن",
    priority_pregnant: "امرأة حامل",
    priority_disability: "إعاقة",
    priority_none: "لا، أنتظر دوري",
    papers_ready: "جهّز هذه الوثائق",
    no_papers: "لا حاجة إلى وثائق",
    take_ticket: "خذ تذكرتي",
    scan_first: "امسح وثائقي، ثم تذكرتي",
    scan_title: "مسح وثائقك",
    scan_hint: "ضع صفحة على الماسح ووجهها إلى الأسفل، ثم المس مسح",
    scan_page: "مسح",
    scanning: "جار المسح…",
    pages_scanned: "الصفحات الممسوحة: {}",
    finished: "انتهيت",
    your_ticket: "تذكرتك",
    ahead: "عدد الأشخاص قبلك: {}",
    nobody_ahead: "دورك قريب",
    wait_minutes: "حوالي {} دقيقة",
    receipt_printed: "خذ تذكرتك الورقية من الأسفل",
    receipt_failed: "الطابعة لا تعمل: احفظ رقمك أو صوّر الشاشة",
    receipt_unknown: "خذ تذكرتك الورقية من الأسفل. إن لم تخرج، احفظ رقمك",
    scan_papers: "مسح الوثائق",
    how_was_it: "كيف كانت زيارتك؟",
    rating_good: "جيدة",
    rating_neutral: "متوسطة",
    rating_bad: "سيئة",
    why_optional: "لماذا؟ يمكنك التخطي",
    which_service_optional: "لأي خدمة؟ يمكنك التخطي",
    reason_waiting: "الانتظار",
    reason_welcome: "الاستقبال",
    reason_explained: "الشرح",
    reason_documents: "الوثائق",
    reason_place: "المكان",
    skip: "تخطي",
    thanks: "شكرا!",
    back: "رجوع",
    listen: "استمع",
    one_moment: "لحظة من فضلك…",
    please_wait: "انتظر من فضلك…",
    refused_closed: "هذه الخدمة مغلقة الآن. اسأل في الشباك",
    refused_scanner: "الماسح لا يعمل. أحضر وثائقك إلى الشباك",
    refused_other: "عذرا، لم ينجح ذلك. اسأل في الشباك",
};

static ZGH: Texts = Texts {
    language_name: "ⵜⴰⵎⴰⵣⵉⵖⵜ",
    choose_language: "ⵙⵍⵖ ⵜⵓⵜⵍⴰⵢⵜ ⵏⵏⴽ",
    who_are_you: "ⵎⴰⵏ ⵜⴳⵉⴷ?",
    profile_abroad: "ⴷⴷⵔⵖ ⴳ ⵓⴱⵔⵔⴰⵏⵉ",
    profile_returnee: "ⵓⵖⵓⵍⵖ ⴰⴷ ⴷⴷⵔⵖ ⴷⵉⴳⵉ",
    profile_dependant: "ⵜⴰⵡⵊⴰ ⵏ ⵓⵎⵉⴳⵔⴰⵏ",
    profile_foreigner: "ⴷⴷⵉⵖ ⵣⴳ ⵢⴰⵏ ⵡⴰⴽⴰⵍ ⵢⴰⴹⵏ",
    give_opinion: "ⵉⵙⵍⵍⴰ ⵉⵢⵉ: ⴰⴷ ⴼⴽⵖ ⴰⵏⵏⴰⵢ ⵉⵏⵓ",
    why_did_you_come: "ⵎⴰⵅ ⴷ ⵜⵓⵛⴽⴰⴷ?",
    usual: "ⵉⵜⵜⵓⵙⵜⴰ ⴱⴰⵀⵔⴰ",
    closed_now: "ⵉⵇⵇⵏ ⴷⵖⵉ",
    go_first: "ⵉⵙ ⵜⵔⵉⴷ ⴰⴷ ⵜⵣⵡⴰⵔⴷ?",
    priority_elderly: "ⴰⵡⵙⵙⴰⵔ",
    priority_pregnant: "ⵜⴰⵎⵖⴰⵔⵜ ⵜⴰⵔⴰⵡ",
    priority_disability: "ⵜⵉⵎⵓⵙⵏⴰ",
    priority_none: "ⵓⵀⵓ, ⴰⴷ ⵔⴰⵊⵓⵖ ⴰⵡⵍⵉⴷ ⵉⵏⵓ",
    papers_ready: "ⵙⵡⵊⴷ ⵉⵙⵏⴰⴷⵏ ⴰ",
    no_papers: "ⵓⵔ ⵉⵍⵍⵉ ⴽⵔⴰ ⵏ ⵓⵙⵏⴰⴷ",
    take_ticket: "ⴰⴷ ⴰⵎⵥⵖ ⵜⴰⵡⵔⵇⵜ ⵉⵏⵓ",
    scan_first: "ⵙⵙⴽⴰⵏⵉ ⵉⵙⵏⴰⴷⵏ, ⵜⵓⵔⴰ ⵜⴰⵡⵔⵇⵜ",
    scan_title: "ⵙⵙⴽⴰⵏⵉ ⵉⵙⵏⴰⴷⵏ ⵏⵏⴽ",
    scan_hint: "ⵙⵔⵙ ⵢⴰⵜ ⵜⴰⵙⵏⴰ ⵅⴼ ⵓⵙⴽⴰⵏⵉ, ⵜⵓⵔⴰ ⵏⴽⵔ ⵙⵙⴽⴰⵏⵉ",
    scan_page: "ⵙⵙⴽⴰⵏⵉ",
    scanning: "ⴰⵙⴽⴰⵏⵉ…",
    pages_scanned: "ⵜⴰⵙⵏⵉⵡⵉⵏ: {}",
    finished: "ⵉⵎⵎⴰⵔ",
    your_ticket: "ⵜⴰⵡⵔⵇⵜ ⵏⵏⴽ",
    ahead: "ⵎⵏⵛⴽ ⵏ ⵎⵉⴷⴷⵏ ⴷⴰⵜ ⵏⵏⴽ: {}",
    nobody_ahead: "ⴷⵖⵉ ⴰⵡⵍⵉⴷ ⵏⵏⴽ",
    wait_minutes: "ⵖⵉⵍⵍ {} ⵜⵓⵙⴷⵉⴷⵉⵏ",
    receipt_printed: "ⴰⵎⵥ ⵜⴰⵡⵔⵇⵜ ⵏⵏⴽ ⴷⴰⵡ",
    receipt_failed: "ⵜⴰⵙⵎⵙⵉⴳⵍⵜ ⵓⵔ ⵜⵅⴷⴷⵎ: ⵃⴹⵓ ⵓⵟⵟⵓⵏ ⵏⵏⴽ",
    receipt_unknown: "ⴰⵎⵥ ⵜⴰⵡⵔⵇⵜ ⵏⵏⴽ ⴷⴰⵡ. ⵎⴽ ⵓⵔ ⴷ ⵜⴼⴼⵓⵖ, ⵃⴹⵓ ⵓⵟⵟⵓⵏ ⵏⵏⴽ",
    scan_papers: "ⵙⵙⴽⴰⵏⵉ ⵉⵙⵏⴰⴷⵏ",
    how_was_it: "ⵎⴰⵎⴽ ⵜⵍⵍⴰ ⵜⵉⵔⵣⵉ ⵏⵏⴽ?",
    rating_good: "ⵉⴼⵓⵍⴽⵉ",
    rating_neutral: "ⵏⵏⴰⵎⴰⵙ",
    rating_bad: "ⵓⵔ ⵉⴼⵓⵍⴽⵉ",
    why_optional: "ⵎⴰⵅ? ⵜⵣⵎⵔⴷ ⴰⴷ ⵜⵣⵔⵉⴷ",
    which_service_optional: "ⵎⴰ ⵜⴰⵏⴰⴼⵓⵜ? ⵜⵣⵎⵔⴷ ⴰⴷ ⵜⵣⵔⵉⴷ",
    reason_waiting: "ⴰⵔⴰⵊⵓ",
    reason_welcome: "ⴰⵙⵏⵓⴱⴳ",
    reason_explained: "ⴰⵙⴼⵙⵔ",
    reason_documents: "ⵉⵙⵏⴰⴷⵏ",
    reason_place: "ⴰⴷⵖⴰⵔ",
    skip: "ⵣⵔⵉ",
    thanks: "ⵜⴰⵏⵎⵎⵉⵔⵜ!",
    back: "ⴰⵖⵓⵍ",
    listen: "ⵙⴼⵍⴷ",
    one_moment: "ⵢⴰⵜ ⵜⵙⴷⵉⴷⵜ…",
    please_wait: "ⵔⴰⵊⵓ…",
    refused_closed: "ⵜⴰⵏⴰⴼⵓⵜ ⴰ ⵜⵇⵇⵏ ⴷⵖⵉ. ⵙⵇⵙⴰ ⴳ ⵓⵙⵏⵓⴱⴳ",
    refused_scanner: "ⴰⵙⴽⴰⵏⵉ ⵓⵔ ⵉⵅⴷⴷⵎ. ⴰⵡⵉ ⵉⵙⵏⴰⴷⵏ ⵏⵏⴽ ⵙ ⵓⵙⵏⵓⴱⴳ",
    refused_other: "ⵙⵓⵔⵉ, ⵓⵔ ⵉⵅⴷⵉⵎ. ⵙⵇⵙⴰ ⴳ ⵓⵙⵏⵓⴱⴳ",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_prompt_in_its_own_script() {
        for l in Language::ALL {
            let t = texts(l);
            for s in Screen::ALL {
                assert!(!t.prompt(s).is_empty());
            }
            assert!(t.ahead.contains("{}") && t.wait_minutes.contains("{}"));
            assert!(t.pages_scanned.contains("{}"));
        }
        let tifinagh = |s: &str| s.chars().any(|c| ('\u{2D30}'..='\u{2D7F}').contains(&c));
        let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
        assert!(tifinagh(texts(Language::Tamazight).who_are_you));
        assert!(arabic(texts(Language::Arabic).who_are_you));
        assert_eq!(
            fill(texts(Language::French).ahead, 3),
            "Personnes avant vous : 3"
        );
    }
}
