//! A code or a number a person reads aloud or copies character by
//! character (a secret code, a voucher's number): screen readers spell it,
//! « 4 8 2 1 », instead of reading « quatre mille huit cent vingt et un ».

use leptos::prelude::*;

/// `text` as it is shown (`class`, hidden from screen readers), followed by
/// its spelling for them (`spelled`).
#[component]
pub fn SpokenChars(text: String, class: &'static str) -> impl IntoView {
    let spoken = spelled(&text);
    view! {
        <span class=class aria-hidden="true">
            {text}
        </span>
        <span class="visually-hidden">{spoken}</span>
    }
}

/// One character after the other, the dots and dashes named:
/// `W2020.NA.442` → « W 2 0 2 0 point N A point 4 4 2 ».
pub fn spelled(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '.' => "point".to_owned(),
            '-' => "tiret".to_owned(),
            c => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::spelled;

    #[test]
    fn codes_and_numbers_are_spelled_character_by_character() {
        assert_eq!(spelled("4821"), "4 8 2 1");
        assert_eq!(spelled("W2020.NA.442.00000123"), "W 2 0 2 0 point N A point 4 4 2 point 0 0 0 0 0 1 2 3");
        assert_eq!(spelled("abcd-efgh"), "a b c d tiret e f g h");
    }
}
