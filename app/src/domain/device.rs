//! A browser's User-Agent told in a few words (« Chrome sur Android »), for
//! the list of one's open sessions: enough to recognise one's own phone,
//! nothing a fingerprint would need.

/// `Firefox sur Windows`, `Safari sur iPhone`, … or « Appareil inconnu ».
pub fn summary(user_agent: &str) -> String {
    let ua = user_agent;
    // Order matters: Edge and Opera say Chrome too, Chrome says Safari.
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("SamsungBrowser/") {
        "Samsung Internet"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "Mac"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") => "Appareil inconnu".to_owned(),
        ("", system) => format!("Navigateur sur {system}"),
        (browser, "") => browser.to_owned(),
        (browser, system) => format!("{browser} sur {system}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
                "Chrome sur Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari sur iPhone",
            ),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox sur Windows"),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
                "Edge sur Windows",
            ),
            ("curl/8.5.0", "Appareil inconnu"),
            ("", "Appareil inconnu"),
        ];
        for (ua, said) in cases {
            assert_eq!(summary(ua), said, "{ua}");
        }
    }
}
