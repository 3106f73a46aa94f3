//! How hard a new password is to guess, judged by zxcvbn (Dropbox's
//! estimator: dictionaries, keyboard patterns, dates, repeats, the
//! person's own login and name), with its feedback in French.
//!
//! The length rule stays in `domain::password` (the form's hint and the
//! browser know it); this is the server's second judgement, which the
//! browser never downloads (its word lists weigh megabytes).

use zxcvbn::Score;
use zxcvbn::feedback::{Suggestion, Warning};

/// Scores below this are refused: 3 means "safely unguessable" for an
/// online attack with budgets like ours, and resists a stolen hash a while.
const MIN_SCORE: Score = Score::Three;

/// zxcvbn's lists are English: the French passwords found first in leaks,
/// and the words of this site, are guessed as early.
const FRENCH_FIRST_GUESSES: &[&str] = &[
    "motdepasse",
    "azerty",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "soleil",
    "bonjour",
    "doudou",
    "chouchou",
    "loulou",
    "marseille",
    "paris",
    "nantes",
    "rennes",
    "bretagne",
    "jetaime",
    "amour",
    "coucou",
    "chocolat",
    "princesse",
    "camille",
    "nicolas",
    "julien",
    "thomas",
    "celine",
    "isabelle",
    "castor",
    "castors",
    "bons",
    "cooperative",
    "adherent",
    "fournisseur",
    "agence",
    "materiaux",
];

/// None when the password is strong enough; else the sentence that says
/// why it is not, and what would help. `about_the_person`: what a guesser
/// would try first (login, name, email address).
pub fn weakness(password: &str, about_the_person: &[&str]) -> Option<String> {
    // The parts of an address are guessed apart: `camille.martin@…`.
    let mut inputs: Vec<&str> = Vec::with_capacity(about_the_person.len() * 3 + FRENCH_FIRST_GUESSES.len());
    inputs.extend(FRENCH_FIRST_GUESSES);
    for known in about_the_person {
        inputs.push(known);
        inputs.extend(known.split(|c: char| !c.is_alphanumeric()).filter(|part| part.chars().count() >= 3));
    }
    let entropy = zxcvbn::zxcvbn(password, &inputs);
    if entropy.score() >= MIN_SCORE {
        return None;
    }
    let mut sentence = String::from("Ce mot de passe est trop facile à deviner.");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            sentence.push(' ');
            sentence.push_str(warning_fr(warning));
        }
        for suggestion in feedback.suggestions() {
            sentence.push(' ');
            sentence.push_str(suggestion_fr(*suggestion));
        }
    }
    if !sentence.contains("mots") {
        sentence.push_str(" Ajoutez un ou deux mots peu courants.");
    }
    Some(sentence)
}

fn warning_fr(warning: Warning) -> &'static str {
    match warning {
        Warning::StraightRowsOfKeysAreEasyToGuess => {
            "Les touches qui se suivent sur le clavier se devinent facilement."
        }
        Warning::ShortKeyboardPatternsAreEasyToGuess => "Les petits motifs de clavier se devinent facilement.",
        Warning::RepeatsLikeAaaAreEasyToGuess => "Les répétitions comme « aaa » se devinent facilement.",
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "Les répétitions comme « abcabcabc » sont à peine plus dures à deviner que « abc »."
        }
        Warning::ThisIsATop10Password => "C'est l'un des 10 mots de passe les plus courants.",
        Warning::ThisIsATop100Password => "C'est l'un des 100 mots de passe les plus courants.",
        Warning::ThisIsACommonPassword => "C'est un mot de passe très courant.",
        Warning::ThisIsSimilarToACommonlyUsedPassword => "Il ressemble à un mot de passe très courant.",
        Warning::SequencesLikeAbcAreEasyToGuess => "Les suites comme « abc » ou « 6543 » se devinent facilement.",
        Warning::RecentYearsAreEasyToGuess => "Les années récentes se devinent facilement.",
        Warning::AWordByItselfIsEasyToGuess => "Un mot seul se devine facilement.",
        Warning::DatesAreOftenEasyToGuess => "Les dates se devinent souvent facilement.",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => "Un nom ou un prénom seul se devine facilement.",
        Warning::CommonNamesAndSurnamesAreEasyToGuess => "Les noms et prénoms courants se devinent facilement.",
    }
}

fn suggestion_fr(suggestion: Suggestion) -> &'static str {
    match suggestion {
        Suggestion::UseAFewWordsAvoidCommonPhrases => "Prenez quelques mots, pas une expression toute faite.",
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
            "Inutile d'ajouter des symboles, des chiffres ou des majuscules."
        }
        Suggestion::AddAnotherWordOrTwo => "Ajoutez un ou deux mots peu courants.",
        Suggestion::CapitalizationDoesntHelpVeryMuch => "Les majuscules n'aident pas beaucoup.",
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            "Tout en majuscules se devine presque aussi facilement que tout en minuscules."
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => "Un mot à l'envers n'est guère plus dur à deviner.",
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
            "Les substitutions prévisibles comme « @ » pour « a » n'aident pas beaucoup."
        }
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
            "Prenez un motif de clavier plus long, avec plus de détours."
        }
        Suggestion::AvoidRepeatedWordsAndCharacters => "Évitez les mots et les caractères répétés.",
        Suggestion::AvoidSequences => "Évitez les suites.",
        Suggestion::AvoidRecentYears => "Évitez les années récentes.",
        Suggestion::AvoidYearsThatAreAssociatedWithYou => "Évitez les années qui vous concernent.",
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => "Évitez les dates et les années qui vous concernent.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_or_personal_passwords_are_refused_in_french_and_phrases_pass() {
        let weak = weakness("password123", &[]).expect("a very common password");
        assert!(weak.starts_with("Ce mot de passe est trop facile à deviner."), "{weak}");
        assert!(weak.contains("courant"), "{weak}");
        let keyboard = weakness("qwertyuiop", &[]).expect("a keyboard row");
        assert!(keyboard.contains("clavier") || keyboard.contains("courant"), "{keyboard}");
        // French first guesses too, though zxcvbn's lists are English.
        assert!(weakness("motdepasse2026", &[]).is_some());
        assert!(weakness("Azertyuiop!", &[]).is_some());
        // The person's own name and login are the first guesses.
        let personal = weakness("CamilleMartin", &["4400000142B", "Camille Martin", "camille.martin@example.fr"]);
        assert!(personal.is_some(), "their own name");
        assert_eq!(weakness("grue jaune sous la pluie d'automne", &["Camille Martin"]), None);
        assert_eq!(weakness("castor menuisier bleu 1983", &[]), None);
    }

    #[test]
    fn every_feedback_reads_as_french_sentences() {
        for password in ["aaaaaaaaaaaa", "abcabcabcabc", "2024202420242024", "qwertyuiop", "P@ssw0rd2026", "Martine"] {
            if let Some(sentence) = weakness(password, &[]) {
                assert!(!sentence.contains(" the ") && !sentence.contains("guess"), "{password}: {sentence}");
                assert!(sentence.ends_with('.'), "{sentence}");
            }
        }
    }
}
