//! Everything a visitor reads on a receipt that is not the commune's own data, in the four
//! languages. The Arabic and Tamazight wordings are a starting point, to be checked by the
//! commune (as the demo configuration's names are).

use baom_domain::language::Language;

pub struct Labels {
    pub your_number: &'static str,
    /// `{n}` is replaced by the number of people ahead.
    pub ahead: &'static str,
    pub next: &'static str,
    /// `{m}` is replaced by minutes.
    pub wait: &'static str,
    pub bring: &'static str,
    pub privacy: &'static str,
}

pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Arabic => &AR,
        Language::Tamazight => &ZGH,
        Language::French => &FR,
        Language::English => &EN,
    }
}

static AR: Labels = Labels {
    your_number: "رقمكم",
    ahead: "عدد الأشخاص قبلكم: {n}",
    next: "أنتم التالي",
    wait: "مدة الانتظار التقريبية: {m} دقيقة",
    bring: "الوثائق التي يجب إحضارها:",
    privacy: "لا تحمل هذه التذكرة أي معطيات شخصية. الرمز يمكّن المكتب فقط من إيجاد تذكرتكم.",
};

static ZGH: Labels = Labels {
    your_number: "ⵓⵟⵟⵓⵏ ⵏⵏⴽ",
    ahead: "ⵉⵎⴷⴷⴰⵏ ⴷⴰⵜ ⵏⵏⴽ: {n}",
    next: "ⴽⵢⵢ ⴰⴷ ⵉⴹⴼⵕⵏ",
    wait: "ⴰⵔⴰⵊⵓ: {m} ⵜⵓⵙⴷⵉⴷⵉⵏ",
    bring: "ⴰⵡⵉ ⴷ ⵉⵙⵏⴰⴷⵏ ⴰ:",
    privacy: "ⵜⴰⴽⵜⴰⵢⵜ ⴰ ⵓⵔ ⴳⵉⵙ ⴽⵔⴰ ⵏ ⵉⵙⴼⴽⴰ ⵉⵏⵉⵎⴰⵏⵏ.",
};

static FR: Labels = Labels {
    your_number: "Votre numéro",
    ahead: "Personnes avant vous : {n}",
    next: "Vous êtes le prochain",
    wait: "Attente estimée : {m} min",
    bring: "Documents à apporter :",
    privacy: "Ce ticket ne contient aucune donnée personnelle. Le code sert seulement au bureau à retrouver votre ticket.",
};

static EN: Labels = Labels {
    your_number: "Your number",
    ahead: "People ahead of you: {n}",
    next: "You are next",
    wait: "Estimated wait: {m} min",
    bring: "Documents to bring:",
    privacy: "This ticket holds no personal data. The code only lets the office find your ticket.",
};
